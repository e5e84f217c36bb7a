using Ferry.Core.Storage;

namespace Ferry.Server.Sessions;

/// <summary>
/// A project's bucket as the server uses it, by its abilities rather than by its implementation: the store (HEAD to
/// verify, list, read and write exports), multipart (start, list, complete, abort for clients' large files) and
/// presigning (URLs clients upload to). <see cref="ProjectStores"/> builds it; nothing outside that class names the
/// S3 store, so another store with these abilities can stand behind the server.
/// </summary>
internal sealed record ProjectStore(IObjectStore Objects, IMultipartObjectStore Multipart, IPresigningObjectStore Presigner);
