namespace Ferry.Server.Sessions;

/// <summary>How the API shows a session (the record itself is shared with clients in Ferry.Client).</summary>
internal static class SessionResponseMapping
{
    extension(SessionResponse)
    {
        /// <summary>
        /// The session as clients see it. The rate is uploaded bytes over the time from the first verified upload to the
        /// last activity; the ETA divides the bytes still to go by it (null until there is a rate).
        /// </summary>
        public static SessionResponse From(UploadSession s, string bucket, string prefix)
        {
            var seconds = s.FirstUploadAt is { } first ? (s.LastActivityAt - first).TotalSeconds : 0;
            var rate = seconds > 0.5 ? s.UploadedBytes / seconds : 0;
            var remaining = Math.Max(0, s.TotalBytes - s.UploadedBytes - s.SkippedBytes);
            double? eta = rate > 0 ? remaining / rate : remaining == 0 && s.TotalFiles > 0 ? 0 : null;
            return new SessionResponse(s.Id, s.ProjectId, s.CycleId, s.UserId, s.Label, s.LocalDirectory, s.Client, s.Status.Name(), s.StartedAt, s.FinishedAt,
                s.TotalFiles, s.UploadedFiles, s.SkippedFiles, s.FailedFiles, Math.Max(0, s.TotalFiles - s.UploadedFiles - s.SkippedFiles - s.FailedFiles),
                s.TotalBytes, s.UploadedBytes, s.SkippedBytes, Math.Round(rate, 1), eta is { } e ? Math.Round(e, 1) : null, bucket, prefix);
        }
    }
}
