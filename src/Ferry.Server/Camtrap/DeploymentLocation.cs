namespace Ferry.Server.Camtrap;

/// <summary>Where a deployment stood, from the user's locations CSV.</summary>
internal sealed record DeploymentLocation(double Latitude, double Longitude, string? LocationId, string? LocationName, int? CoordinateUncertainty);
