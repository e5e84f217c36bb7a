namespace Ferry.Server.Tenancy;

/// <summary>Why a change to the company's data was refused: the request is invalid, forbidden, or it conflicts with what exists.</summary>
internal sealed record Refusal(bool IsConflict, string Message)
{
    public static Refusal Invalid(string message) => new(false, message);

    public static Refusal Conflict(string message) => new(true, message);

    /// <summary>Not the caller's to use (answered 403): outside the company's storage grants, or reserved by Ferry.</summary>
    public static Refusal Forbidden(string message) => new(false, message) { IsForbidden = true };

    public bool IsForbidden { get; init; }

    /// <summary>The message as a sentence for a page: capitalized, with a full stop.</summary>
    public string Sentence => char.ToUpperInvariant(Message[0]) + Message[1..] + ".";
}
