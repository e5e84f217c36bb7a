using System.Text.Json;

namespace Ferry.Client.Contracts;

/// <summary>A request list passed its limit while it was read; the server answers 400 with this message.</summary>
public sealed class ListTooLongException(string message) : JsonException(message);
