using Ferry.Core.Journal;
using Ferry.Core.Storage;
using Ferry.Testing;

namespace Ferry.Core.Tests.Journal;

public sealed class TransferJournalTests : IDisposable
{
    private readonly TempDirectory _work = new("journal");

    public void Dispose() => _work.Dispose();

    [Fact]
    public void WriteBatch_ThenReopen_ObjectsAndSessionFilesSurvive()
    {
        var path = _work.Combine("j.db");
        var now = DateTimeOffset.UtcNow;
        long session;
        using (var sut = TransferJournal.Open(path))
        {
            session = sut.StartSession("upload", "/src", "s3://b/p", now);
            sut.WriteBatch(
                [new JournalObject("dest", "p/a", "/src/a", 3, 42, "sha", "md5", "etag", now)],
                [new SessionFileRecord(session, "a", "p/a", 3, "sha", "etag", FileOutcomes.Uploaded, null, now)]);
            sut.FinishSession(session, "completed", null, new SessionCounts(1, 1, 0, 0, 0, 0, 3, 3, 0, 10), now);
        }

        using var reopened = TransferJournal.Open(path);

        Assert.Equal("etag", reopened.FindObject("dest", "p/a")!.ETag);
        Assert.Null(reopened.FindObject("other-dest", "p/a"));
        Assert.Equal("completed", reopened.FindSession(session)!.Outcome);
        Assert.Single(reopened.ReadSessionFiles(session, FileOutcomes.Uploaded));
    }

    [Fact]
    public void FindObjects_SeveralKeys_EachRecordInTheKeysOrderAndNullWhereNoneIs()
    {
        var now = DateTimeOffset.UtcNow;
        using var sut = TransferJournal.Open(_work.Combine("j.db"));
        sut.WriteBatch(
            [new JournalObject("dest", "p/a", "/src/a", 3, 42, "sha", "md5", "etag-a", now),
             new JournalObject("dest", "p/c", "/src/c", 5, 43, "sha", "md5", "etag-c", now),
             new JournalObject("other", "p/b", "/src/b", 4, 44, "sha", "md5", "etag-b", now)],
            []);

        var found = sut.FindObjects("dest", ["p/c", "p/b", "p/a"]);

        Assert.Equal(["etag-c", null, "etag-a"], found.Select(o => o?.ETag));
        Assert.Equal(["p/c", null, "p/a"], found.Select(o => o?.Key));
    }

    [Fact]
    public void FindObjects_AfterTheLookUps_TheWalCheckpointIsNotHeldBack()
    {
        var path = _work.Combine("checkpoint.db");
        var now = DateTimeOffset.UtcNow;
        using var sut = TransferJournal.Open(path);
        sut.WriteBatch([new JournalObject("dest", "p/a", "/src/a", 3, 42, "sha", "md5", "etag", now)], []);
        Assert.NotNull(sut.FindObjects("dest", ["p/a", "p/b"])[0]);
        sut.WriteBatch([new JournalObject("dest", "p/b", "/src/b", 3, 42, "sha", "md5", "etag", now)], []);

        // The look-ups' read transaction ended with the call, so nothing keeps a checkpoint from emptying the WAL.
        var busy = WalCheckpoint.Truncate(path);

        Assert.Equal(0L, busy); // 1 while a reader holds an older snapshot
        Assert.Equal("etag", sut.FindObjects("dest", ["p/b", "p/a"])[0]!.ETag);
    }

    [Fact]
    public void FindObjects_ARecordFailsToReadMidBatch_ThrowsAndLeavesNoReadSnapshotOpen()
    {
        var path = _work.Combine("damaged.db");
        var now = DateTimeOffset.UtcNow;
        using var sut = TransferJournal.Open(path);
        sut.WriteBatch(
            [new JournalObject("dest", "p/a", "/src/a", 3, 42, "sha", "md5", "etag-a", now),
             new JournalObject("dest", "p/bad", "/src/bad", 3, 42, "sha", "md5", "etag", now),
             new JournalObject("dest", "p/c", "/src/c", 3, 42, "sha", "md5", "etag-c", now)],
            []);
        using var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        other.Open();
        using (var damage = other.CreateCommand())
        {
            damage.CommandText = "UPDATE objects SET verified_at = 'not a time' WHERE key = 'p/bad'";
            Assert.Equal(1, damage.ExecuteNonQuery());
        }

        Assert.ThrowsAny<FormatException>(() => sut.FindObjects("dest", ["p/a", "p/bad", "p/c"]));

        Assert.Equal(0L, WalCheckpoint.Truncate(path));
        Assert.Equal(["etag-a", "etag-c"], sut.FindObjects("dest", ["p/a", "p/c"]).Select(o => o?.ETag));
    }

    [Fact]
    public void DeleteMultipart_RemovesUploadAndItsParts()
    {
        using var sut = TransferJournal.Open(_work.Combine("j.db"));
        sut.SaveMultipart(new JournalMultipartUpload("d", "k", "u1", 100, 1, 50, "sha"), DateTimeOffset.UtcNow);
        sut.SavePart("d", "k", "u1", new StoredPart(1, 50, "e1"));

        sut.DeleteMultipart("d", "k");

        Assert.Null(sut.FindMultipart("d", "k"));
        Assert.Empty(sut.FindParts("d", "k", "u1"));
    }

    [Fact]
    public void ContentLookup_PlannedOnTheContentIndexInItsOrder_NotAScanOrASortOfTheCopies()
    {
        var path = _work.Combine("plan.db");
        using (TransferJournal.Open(path))
        {
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        connection.Open();
        using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + TransferJournal.ContentLookupSql;
        foreach (var name in new[] { "$d", "$sha", "$s", "$k", "$n" })
        {
            explain.Parameters.AddWithValue(name, name == "$s" || name == "$n" ? 1 : "x");
        }

        var plan = new List<string>();
        using (var reader = explain.ExecuteReader())
        {
            while (reader.Read())
            {
                plan.Add(reader.GetString(3));
            }
        }

        Assert.Contains(plan, step => step.Contains("USING INDEX objects_by_content_age (destination=? AND sha256=? AND size=?)", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_JournalWithTheEarlierContentIndex_ReplacesIt()
    {
        var path = _work.Combine("old.db");
        using (TransferJournal.Open(path))
        {
        }

        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var old = connection.CreateCommand();
            old.CommandText = "DROP INDEX objects_by_content_age; CREATE INDEX objects_by_content ON objects (destination, sha256, size)";
            old.ExecuteNonQuery();
        }

        using (TransferJournal.Open(path))
        {
        }

        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        check.Open();
        using var indexes = check.CreateCommand();
        indexes.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'objects' AND name LIKE 'objects_by_content%' ORDER BY name";
        var names = new List<string>();
        using (var reader = indexes.ExecuteReader())
        {
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        Assert.Equal(["objects_by_content_age"], names);
    }
}
