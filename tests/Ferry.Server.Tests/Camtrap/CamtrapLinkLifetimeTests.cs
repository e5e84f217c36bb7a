using Ferry.Server.Camtrap;

namespace Ferry.Server.Tests.Camtrap;

/// <summary>A package's presigned links live the least of what was asked, the operator's ceiling and the caller's sign-in.</summary>
public sealed class CamtrapLinkLifetimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Of_PlainUrls_NoLifetime() => Assert.Null(CamtrapLinkLifetime.Of(0, new FerryServerOptions(), Now, null));

    [Fact]
    public void Of_SevenDaysAskedWithoutTheCamtrapSetting_PresignLifetime() =>
        Assert.Equal(TimeSpan.FromHours(1), CamtrapLinkLifetime.Of(168, new FerryServerOptions(), Now, Now.AddDays(30)));

    [Fact]
    public void Of_LessAskedThanTheCeiling_WhatWasAsked() =>
        Assert.Equal(TimeSpan.FromHours(1), CamtrapLinkLifetime.Of(1, new FerryServerOptions { PresignLifetime = TimeSpan.FromHours(6) }, Now, null));

    [Fact]
    public void Of_CamtrapSettingAbovePresignLifetime_ItsCeilingCounts() =>
        Assert.Equal(TimeSpan.FromDays(2), CamtrapLinkLifetime.Of(168, new FerryServerOptions { CamtrapLinkLifetime = TimeSpan.FromDays(2) }, Now, null));

    [Fact]
    public void Of_SignInEndsFirst_TheSignInsEnd() =>
        Assert.Equal(TimeSpan.FromMinutes(10), CamtrapLinkLifetime.Of(24, new FerryServerOptions { CamtrapLinkLifetime = TimeSpan.FromDays(7) }, Now, Now.AddMinutes(10)));
}
