using Ferry.Server.Donations;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>donation-export</c>: <see cref="DonationMaintenance.ExportAsync"/>; each company's export is recorded in <c>maintenance_runs</c>.</summary>
internal sealed class DonationExportJob(DonationMaintenance maintenance)
    : ServiceCallJob(maintenance.ExportAsync, "exported; each company's export is in the donation maintenance runs");
