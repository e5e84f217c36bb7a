using Ferry.Core.Storage;

namespace Ferry.Core.Transfer;

/// <summary>
/// A destination listed in <see cref="ScanOrder"/>, read beside the source scan: each look-up moves forward to the key
/// asked for, so both sides are compared in one pass, folder by folder, and the destination is never held whole. A
/// look-up must ask for keys in <see cref="ScanOrder"/>, as the scanner finds them; one that does not move forward (an
/// earlier key, or the same key again) is answered "not listed", so its file is copied again rather than skipped on a
/// guess. A listing that goes backwards is not trusted from there on: every later look-up is "not listed".
/// <paramref name="cancellationToken"/> stops the listing's walk.
/// </summary>
internal sealed class DestinationCursor(IAsyncEnumerable<StoredObject> objects, CancellationToken cancellationToken) : IAsyncDisposable
{
    private IAsyncEnumerator<StoredObject>? _objects;
    private StoredObject? _current;
    private bool _ended;
    private string? _lastKey;

    /// <summary>Set when the listing went backwards (a store's bug): from then on nothing is trusted as listed.</summary>
    private bool _disordered;

    /// <summary>The listed object with this key, or null when the destination does not have it.</summary>
    public async ValueTask<StoredObject?> FindAsync(string key)
    {
        if (_lastKey is not null && ScanOrder.Compare(key, _lastKey) <= 0)
        {
            return null;
        }

        _lastKey = key;
        _objects ??= objects.GetAsyncEnumerator(cancellationToken);
        while (!_ended && (_current is null || ScanOrder.Compare(_current.Key, key) < 0))
        {
            if (await _objects.MoveNextAsync().ConfigureAwait(false))
            {
                _disordered |= _current is not null && ScanOrder.Compare(_objects.Current.Key, _current.Key) <= 0;
                _current = _objects.Current;
            }
            else
            {
                _ended = true;
                _current = null;
            }
        }

        return !_disordered && _current is { } current && ScanOrder.Compare(current.Key, key) == 0 ? current : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_objects is not null)
        {
            await _objects.DisposeAsync().ConfigureAwait(false);
        }
    }
}
