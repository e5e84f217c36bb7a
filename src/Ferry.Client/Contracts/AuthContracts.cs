namespace Ferry.Client.Contracts;

/// <summary>The body of <c>POST /api/auth/login</c>.</summary>
public sealed record LoginRequest(string? Username, string? Password);

/// <summary>A bearer token; <c>MustChangePassword</c>: it is good only for <c>POST /api/auth/password</c> until the password is changed.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, bool MustChangePassword = false);
