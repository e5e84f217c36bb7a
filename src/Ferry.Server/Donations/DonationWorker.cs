namespace Ferry.Server.Donations;

/// <summary>
/// The server's background service for donations: settles the donations a crash left running, then runs queued
/// donations one at a time (the page stays usable). The scheduled export and retention clean-up are Quartz jobs
/// (Schedules/, <c>Ferry:Schedules:*</c>).
/// </summary>
internal sealed class DonationWorker(DonationService donations, ILogger<DonationWorker> logger) : QueueWorker(donations, "donation", logger);
