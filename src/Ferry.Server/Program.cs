using Ferry.Server;

// Development entry point (dotnet run); people run the server with `ferry serve`, which calls the same FerryServer.Build.
var app = FerryServer.Build(args);
await app.RunAsync();

/// <summary>The server's entry point; public so tests can host it with WebApplicationFactory.</summary>
public partial class Program;
