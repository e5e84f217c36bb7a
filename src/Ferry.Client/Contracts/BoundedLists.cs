namespace Ferry.Client.Contracts;

/// <summary>The files of one registration (<see cref="ApiLimits.MaximumRegisterBatch"/> at most).</summary>
public sealed class FileEntryList() : BoundedList<FileEntry>(ApiLimits.MaximumRegisterBatch, "files");

/// <summary>The paths of one presign call (<see cref="ApiLimits.MaximumPresignBatch"/> at most).</summary>
public sealed class PathList() : BoundedList<string>(ApiLimits.MaximumPresignBatch, "paths");

/// <summary>The files of one completion report (<see cref="ApiLimits.MaximumCompleteBatch"/> at most).</summary>
public sealed class CompletedFileList() : BoundedList<CompletedFile>(ApiLimits.MaximumCompleteBatch, "files");

/// <summary>The files of one relay (<see cref="ApiLimits.MaximumRelayBatch"/> at most).</summary>
public sealed class RelayedFileList() : BoundedList<RelayedFile>(ApiLimits.MaximumRelayBatch, "files");

/// <summary>The part numbers of one signing call (<see cref="ApiLimits.MaximumPartsPerSigning"/> at most).</summary>
public sealed class PartNumberList() : BoundedList<int>(ApiLimits.MaximumPartsPerSigning, "part numbers");

/// <summary>The parts of one multipart completion (<see cref="ApiLimits.MaximumPartsPerCompletion"/> at most).</summary>
public sealed class PartEtagList() : BoundedList<PartEtag>(ApiLimits.MaximumPartsPerCompletion, "parts");
