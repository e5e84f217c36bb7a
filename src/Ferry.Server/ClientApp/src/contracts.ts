// The API's request and response shapes, as the server declares them. They are generated at build time from the
// server's OpenAPI document (openapi-typescript over obj/openapi/Ferry.Server.json into generated/api-types.ts; see
// Ferry.Server.csproj), never written by hand here: a field renamed or removed on the server fails the web build
// where the browser code uses it.
import type { components } from "./generated/api-types";

type Schemas = components["schemas"];

export type CreateSessionRequest = Schemas["CreateSessionRequest"];
export type SessionResponse = Schemas["SessionResponse"];
export type RegisterFilesRequest = Schemas["RegisterFilesRequest"];
export type RegisterFilesResponse = Schemas["RegisterFilesResponse"];
export type RegisteredFileResponse = Schemas["RegisteredFileResponse"];
export type SensorFolderCheck = Schemas["SensorFolderCheck"];
export type CreateMultipartRequest = Schemas["CreateMultipartRequest"];
export type MultipartResponse = Schemas["MultipartResponse"];
export type SignPartsRequest = Schemas["SignPartsRequest"];
export type SignPartsResponse = Schemas["SignPartsResponse"];
export type CompleteMultipartRequest = Schemas["CompleteMultipartRequest"];
export type CompleteMultipartResponse = Schemas["CompleteMultipartResponse"];
export type PresignRequest = Schemas["PresignRequest"];
export type PresignResponse = Schemas["PresignResponse"];
export type PresignedUpload = Schemas["PresignedUpload"];
export type CompleteFilesRequest = Schemas["CompleteFilesRequest"];
export type CompleteFilesResponse = Schemas["CompleteFilesResponse"];
export type CompletedFileResult = Schemas["CompletedFileResult"];
export type DonationResponse = Schemas["DonationResponse"];
export type ExportResponse = Schemas["ExportResponse"];
export type StartExportRequest = Schemas["StartExportRequest"];
export type TokenResponse = Schemas["TokenResponse"];

/** What each 'progress' event of GET /api/sessions/{id}/events carries: the session, as GET /api/sessions/{id} returns it. */
export type SessionProgress = SessionResponse;
export type LinkInfo = Schemas["LinkInfo"];
export type LinkUploadResponse = Schemas["LinkUploadResponse"];
export type LinkDonationResponse = Schemas["LinkDonationResponse"];
