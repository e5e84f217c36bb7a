using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Ferry.Client.Contracts;

/// <summary>
/// The JSON of the Ferry API as clients write and read it (web defaults, snake_case names), generated at build time so
/// that it works in a Native AOT build: every request body a client sends and every answer it reads as a record. A type
/// missing here throws <see cref="NotSupportedException"/> at its first use (in tests as in a Native AOT build).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
// Any answer, read as it came (errors' problem details, jobs, storage locations); an empty body ({}).
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
[JsonSerializable(typeof(JsonArray))]
// Sign-in.
[JsonSerializable(typeof(LoginRequest))]
[JsonSerializable(typeof(TokenResponse))]
// Projects and cycles.
[JsonSerializable(typeof(ProjectResponse))]
[JsonSerializable(typeof(List<ProjectResponse>))]
[JsonSerializable(typeof(CycleRequest))]
[JsonSerializable(typeof(CycleResponse))]
[JsonSerializable(typeof(List<CycleResponse>))]
// Sessions.
[JsonSerializable(typeof(CreateSessionRequest))]
[JsonSerializable(typeof(SessionResponse))]
[JsonSerializable(typeof(List<SessionResponse>))]
[JsonSerializable(typeof(RegisterFilesRequest))]
[JsonSerializable(typeof(RegisterFilesResponse))]
[JsonSerializable(typeof(PresignRequest))]
[JsonSerializable(typeof(PresignResponse))]
[JsonSerializable(typeof(CompleteFilesRequest))]
[JsonSerializable(typeof(CompleteFilesResponse))]
[JsonSerializable(typeof(RelayRequest))]
[JsonSerializable(typeof(SessionFilesPage))]
// Multipart uploads of a session.
[JsonSerializable(typeof(CreateMultipartRequest))]
[JsonSerializable(typeof(MultipartResponse))]
[JsonSerializable(typeof(SignPartsRequest))]
[JsonSerializable(typeof(SignPartsResponse))]
[JsonSerializable(typeof(ListPartsResponse))]
[JsonSerializable(typeof(CompleteMultipartRequest))]
[JsonSerializable(typeof(CompleteMultipartResponse))]
// Jobs and a company's server folders.
[JsonSerializable(typeof(CreateJobRequest))]
[JsonSerializable(typeof(JobResponse))]
[JsonSerializable(typeof(List<JobResponse>))]
[JsonSerializable(typeof(AddRootRequest))]
[JsonSerializable(typeof(RootResponse))]
[JsonSerializable(typeof(List<RootResponse>))]
// Storage locations (system administrator).
[JsonSerializable(typeof(StorageLocationRequest))]
[JsonSerializable(typeof(StorageGrantRequest))]
[JsonSerializable(typeof(StorageTestRequest))]
[JsonSerializable(typeof(StorageTestResponse))]
// Camtrap DP packages.
[JsonSerializable(typeof(CamtrapExportRequest))]
// Donation links.
[JsonSerializable(typeof(LinkInfo))]
[JsonSerializable(typeof(NewLinkUpload))]
[JsonSerializable(typeof(LinkUploadResponse))]
[JsonSerializable(typeof(LinkDonationResponse))]
public sealed partial class FerryApiJson : JsonSerializerContext;
