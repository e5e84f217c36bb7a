using System.Text.Json;
using System.Text.Json.Serialization;
using Ferry.Server.Api;
using Ferry.Server.Donations;
using Ferry.Server.Observability;
using Ferry.Server.Schedules;
using Ferry.Server.Sessions;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.IdentityModel.Tokens;

namespace Ferry.Server;

/// <summary>Composes the Ferry server: configuration, database, authentication, endpoints. <c>ferry serve</c> and Program.cs both start here.</summary>
public static class FerryServer
{
    /// <summary>
    /// Builds the app from <paramref name="args"/> (ASP.NET Core's: <c>--urls</c>, <c>--Ferry:Name=value</c>) and
    /// <paramref name="overrides"/> (configuration keys that win over everything, for <c>ferry serve</c>'s options).
    /// Throws <see cref="ArgumentException"/> or <see cref="FormatException"/> for bad settings.
    /// </summary>
    public static WebApplication Build(string[] args, IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            WebRootPath = Directory.Exists(webRoot) ? webRoot : null,
        });
        builder.Configuration.AddInMemoryCollection(EnvironmentSettings());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        Configure(builder);
        if (BuildTimeDocument.IsGenerating)
        {
            builder.Services.RemoveAll<IHostedService>();
        }

        var app = builder.Build();
        MapEndpoints(app);
        return app;
    }

    /// <summary>Registers the server's services on <paramref name="builder"/> (also used by tests).</summary>
    internal static void Configure(WebApplicationBuilder builder)
    {
        // Settings are read when first needed, from the final configuration (so hosts and tests can add to it).
        var services = builder.Services;
        AddEngineServices(builder.Services, builder.Logging, builder.Configuration);
        services.AddFerryTelemetry(builder.Configuration, web: true);
        // Malformed bodies reach ApiExceptionHandler, which says what is wrong with them.
        services.Configure<RouteHandlerOptions>(route => route.ThrowOnBadRequest = true);
        services.AddScoped<ProjectCatalog>();
        services.AddScoped<Storage.StorageLocationCatalog>();
        services.AddScoped<UserAccounts>();
        services.AddScoped<UserAdministration>();
        services.AddScoped<CompanyDirectory>();
        services.AddScoped<Jobs.JobCatalog>();
        services.AddSingleton<EventStreamLimiter>();
        services.AddSingleton<RelayLimiter>();
        services.AddScoped<PasswordCheck>();
        services.AddScoped<PageTokens>();
        services.AddSingleton<TokenIssuer>();
        services.AddHostedService<ServerStartup>();
        // Keys and sign-in throttle shared by every replica on the database; after ServerStartup, which creates the keys under its lock (ReplicaServices).
        services.AddReplicaSharedState();
        services.AddSingleton<Exports.SessionExportService>();
        services.AddHostedService<Exports.SessionExportWorker>(); // after ServerStartup: needs the current schema
        services.AddSingleton<Donations.DonationStudy>();
        services.AddSingleton<Donations.DonationService>();
        services.AddSingleton<Donations.DonationMaintenance>();
        services.AddHostedService<Donations.DonationWorker>();
        services.AddSingleton<Donations.DonationLinks>();
        services.AddSingleton<Donations.DonationLinkIntake>();
        services.AddSingleton<Donations.LinkTokenGuessLimit>();
        services.AddDonationLinkRateLimit();
        services.AddFerrySchedules(); // Schedules/: Quartz, after ServerStartup (needs the current schema)
        if (builder.Configuration.GetValue<bool>("Ferry:RunWorker"))
        {
            services.AddHostedService<Jobs.JobWorker>();
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer().AddCookie(WebSignIn.Scheme);
        services.AddOptions<CookieAuthenticationOptions>(WebSignIn.Scheme).Configure<FerryServerOptions>((cookie, options) => WebSignIn.Configure(cookie, options.TokenLifetime));
        services.AddRazorPages(pages =>
        {
            pages.Conventions.AuthorizeFolder("/", WebSignIn.Policy);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
            pages.Conventions.AllowAnonymousToPage("/Donate"); // a donation link's page: the token stays in the URL's fragment
        }).AddApplicationPart(typeof(FerryServer).Assembly); // found also when `ferry` (not this assembly) is the entry point
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<SymmetricSecurityKey>((jwt, signingKey) =>
        {
            jwt.MapInboundClaims = false;
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = TokenIssuer.Issuer,
                ValidAudience = TokenIssuer.Audience,
                IssuerSigningKey = signingKey,
                ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                ClockSkew = TimeSpan.FromSeconds(30),
            };
            jwt.Events = TokenValidation.Events();
        });
        services.AddAuthorization(AuthorizationPolicies.Add);
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
            // Numbers are JSON numbers, never strings: the web defaults would also read "12" as 12, and the OpenAPI
            // document (and so the browser's generated types) would then say every integer may be a string.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Ferry API";
            document.Info.Description = "Projects, cycles and upload sessions; browsers and scripts upload straight to S3 with presigned URLs.";
            return Task.CompletedTask;
        }));
    }

    /// <summary>What both the server and a worker need: settings, database, S3 stores, session files, jobs, logging.</summary>
    private static void AddEngineServices(IServiceCollection services, ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        // ASP.NET Core's request lines ("Request starting GET http://host/path?query") would record query strings of
        // authenticated routes: requests are measured by route pattern only (http.server.request.duration, Observability/FerryTelemetry).
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        if (string.Equals(configuration["Ferry:LogFormat"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // One JSON object per line (timestamp, level, category, message, state) for log shippers.
            logging.ClearProviders();
            logging.AddJsonConsole(json =>
            {
                json.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
                json.UseUtcTimestamp = true;
                json.JsonWriterOptions = new System.Text.Json.JsonWriterOptions { Indented = false };
            });
        }

        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.AddScoped(sp => new TenantScope(sp.GetRequiredService<IHttpContextAccessor>()));
        services.AddSingleton(sp => ReadOptions(sp.GetRequiredService<IConfiguration>()));
        services.AddOptions<HostOptions>().Configure<FerryServerOptions>((host, options) => host.ShutdownTimeout = options.ShutdownGrace);
        services.AddSingleton(sp => DatabaseSettings.Resolve(sp.GetRequiredService<FerryServerOptions>().Database, sp.GetRequiredService<FerryServerOptions>().ResolvedDataDirectory));
        services.AddDbContext<FerryDbContext>((sp, db) => UseDatabase(db, sp.GetRequiredService<DatabaseSettings>()));
        services.AddScoped<DatabaseMigrator>();
        services.AddScoped<SessionFileService>();
        services.AddScoped<SessionService>();
        services.AddScoped<SessionUploadService>();
        services.AddScoped<SessionRelayService>();
        services.AddScoped<SessionMultipartService>();
        services.AddScoped<Camtrap.CamtrapExportService>();
        services.AddSingleton<Camtrap.CamtrapExportGate>();
        services.AddSingleton<ProjectStores>();
        services.AddSingleton<Storage.StorageSecrets>();
        services.AddSingleton<Storage.EndpointGuard>();
        services.AddSingleton<Jobs.JobRunner>();
        services.AddSingleton<Jobs.JobWakeUp>();
        services.AddScoped<Jobs.ServerFolders>();
    }

    /// <summary>
    /// A worker without the web app (<c>ferry worker</c>): checks the schema, then runs upload jobs from the shared
    /// database until stopped. Same settings as the server (<c>Ferry:Database</c>, <c>Ferry:AllowedRoots</c>, S3 credentials).
    /// </summary>
    public static IHost BuildWorker(IReadOnlyDictionary<string, string?>? overrides)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Configuration.AddInMemoryCollection(EnvironmentSettings());
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        AddEngineServices(builder.Services, builder.Logging, builder.Configuration);
        builder.Services.AddFerryTelemetry(builder.Configuration, web: false);
        builder.Services.AddHostedService<WorkerStartup>();
        builder.Services.AddFerrySchedules(); // Schedules/: a worker takes part in the cluster too
        builder.Services.AddHostedService<Jobs.JobWorker>();
        return builder.Build();
    }

    internal static void MapEndpoints(WebApplication app)
    {
        app.UseKnownProxies(app.Services.GetRequiredService<FerryServerOptions>());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "docs";
            ui.SwaggerEndpoint("/openapi/v1.json", "Ferry API v1");
            ui.DocumentTitle = "Ferry API";
        });
        app.UseStaticFiles();
        app.UseMissingStaticFilesAsNotFound();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRequestBodyLimits();
        app.UseRateLimiter();
        app.UsePasswordChangeRequirement();
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthEndpoints();
        app.MapAuthEndpoints();
        app.MapCompanyEndpoints();
        app.MapCompanyRootEndpoints();
        app.MapUserEndpoints();
        app.MapProjectEndpoints();
        app.MapStorageLocationEndpoints();
        app.MapSessionEndpoints();
        app.MapMultipartEndpoints();
        app.MapExportEndpoints();
        app.MapJobEndpoints();
        app.MapMetricsEndpoint();
        app.MapDonationEndpoints();
        app.MapDonationLinkEndpoints();
        app.MapScheduleEndpoints();
        app.MapCamtrapEndpoints();
        app.MapRazorPages();
    }

    /// <summary>
    /// Applies pending schema migrations to the configured database, then gives the first company the configured
    /// <c>Ferry:AllowedRoots</c> not seeded before (<see cref="Jobs.ServerFolders.SeedConfiguredAsync"/>); returns (applied versions, where).
    /// </summary>
    public static async Task<(IReadOnlyList<int> Applied, int Version, string Database)> MigrateAsync(IReadOnlyDictionary<string, string?>? overrides, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder().AddEnvironmentVariables().AddInMemoryCollection(EnvironmentSettings());
        if (overrides is not null)
        {
            configuration.AddInMemoryCollection(overrides);
        }

        var options = ReadOptions(configuration.Build());
        var database = DatabaseSettings.Resolve(options.Database, options.ResolvedDataDirectory);
        var builder = new DbContextOptionsBuilder<FerryDbContext>();
        UseDatabase(builder, database);
        await using var db = new FerryDbContext(builder.Options, database, TenantScope.System);
        var migrator = new DatabaseMigrator(db, TimeProvider.System);
        await using var startupLock = await StartupLock.AcquireAsync(db, cancellationToken); // migrations run by one process at a time
        var applied = await migrator.MigrateAsync(cancellationToken);
        await Jobs.ServerFolders.SeedConfiguredAsync(db, options, TimeProvider.System, cancellationToken);
        return (applied, migrator.LatestVersion, database.Describe());
    }

    private static FerryServerOptions ReadOptions(IConfiguration configuration)
    {
        var options = configuration.GetSection("Ferry").Get<FerryServerOptions>() ?? new FerryServerOptions();
        options.Validate();
        Directory.CreateDirectory(options.ResolvedDataDirectory);
        return options;
    }

    /// <summary>
    /// The provider, with a query's collection (<c>paths.Contains(f.Path)</c>) sent as one parameter (SQLite's
    /// <c>json_each</c>, PostgreSQL's array) rather than EF Core's default of one parameter per element: a registration or
    /// verification batch's SQL is then the same whatever its size, and SQLite no longer looks up thousands of parameter
    /// names per statement (libc's strncmp fell from 4.3 % to 0.1 % of the server's CPU on an upload through a session,
    /// about 9 % less server CPU in all; docs/benchmarks.md, session 15).
    /// </summary>
    private static void UseDatabase(DbContextOptionsBuilder builder, DatabaseSettings database)
    {
        if (database.Provider == DatabaseProvider.PostgreSql)
        {
            builder.UseNpgsql(database.ConnectionString, o => o.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        }
        else
        {
            builder.UseSqlite(database.ConnectionString, o => o.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter));
        }
    }

    /// <summary>FERRY_DB, FERRY_ADMIN_PASSWORD and FERRY_SIGNING_KEY as configuration keys.</summary>
    private static Dictionary<string, string?> EnvironmentSettings()
    {
        var settings = new Dictionary<string, string?>();
        Map("FERRY_DB", "Ferry:Database");
        Map("FERRY_ADMIN_PASSWORD", "Ferry:AdminPassword");
        Map("FERRY_SIGNING_KEY", "Ferry:SigningKey");
        if (Environment.GetEnvironmentVariable("FERRY_ALLOWED_ROOTS") is { Length: > 0 } roots)
        {
            // Colon-separated, like PATH.
            var list = roots.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < list.Length; i++)
            {
                settings[$"Ferry:AllowedRoots:{i}"] = list[i];
            }
        }

        return settings;

        void Map(string variable, string key)
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                settings[key] = value;
            }
        }
    }
}
