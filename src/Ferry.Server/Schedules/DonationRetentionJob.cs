using Ferry.Server.Donations;

namespace Ferry.Server.Schedules;

/// <summary>Schedule <c>donation-retention</c>: <see cref="DonationMaintenance.RetentionAsync"/>, recorded in <c>maintenance_runs</c>.</summary>
internal sealed class DonationRetentionJob(DonationMaintenance maintenance)
    : ServiceCallJob(maintenance.RetentionAsync, "retention ran; what it deleted is in the donation maintenance runs");
