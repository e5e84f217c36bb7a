namespace Ferry.Server.Donations;

/// <summary>Why <see cref="DonationService.CreateAsync"/> accepted no donation.</summary>
internal enum DonationRefusal
{
    /// <summary>Accepted.</summary>
    None,

    /// <summary>The caller already has <see cref="FerryServerOptions.DonationMaximumRunningPerUser"/> donations running.</summary>
    TooManyRunning,

    /// <summary>The caller withdrew consent and has not renewed it on the Contribute page.</summary>
    ConsentWithdrawn,
}
