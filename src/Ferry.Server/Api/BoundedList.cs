using System.Collections.ObjectModel;
using System.Text.Json;

namespace Ferry.Server.Api;

/// <summary>
/// A list in a request body that holds at most <c>maximum</c> items, enforced while the JSON streams in: the JSON
/// serializer adds items one at a time as it reads them, and the item after the last allowed one throws
/// <see cref="ListTooLongException"/> (answered 400 naming the limit) before anything more of the body is read.
/// Subclasses fix the limit and have the parameterless constructor the serializer needs.
/// </summary>
internal abstract class BoundedList<T>(int maximum, string what) : Collection<T>
{
    public int Maximum => maximum;

    protected override void InsertItem(int index, T item)
    {
        if (Count >= maximum)
        {
            throw new ListTooLongException($"give at most {maximum:N0} {what} per call; nothing of this call was done");
        }

        base.InsertItem(index, item);
    }
}

/// <summary>A request list passed its limit while it was read; <see cref="ApiExceptionHandler"/> answers 400 with this message.</summary>
internal sealed class ListTooLongException(string message) : JsonException(message);

internal sealed class FileEntryList() : BoundedList<FileEntry>(SessionEndpoints.MaximumRegisterBatch, "files");

internal sealed class PathList() : BoundedList<string>(SessionEndpoints.MaximumPresignBatch, "paths");

internal sealed class CompletedFileList() : BoundedList<CompletedFile>(SessionEndpoints.MaximumCompleteBatch, "files");

internal sealed class PartNumberList() : BoundedList<int>(MultipartEndpoints.MaximumPartsPerSigning, "part numbers");

internal sealed class PartEtagList() : BoundedList<PartEtag>(MultipartEndpoints.MaximumPartsPerCompletion, "parts");
