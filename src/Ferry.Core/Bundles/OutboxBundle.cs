namespace Ferry.Core.Bundles;

/// <summary>A complete bundle waiting in the outbox: its folder and its descriptor as last saved.</summary>
public sealed record OutboxBundle(string Directory, BundleDescriptor Descriptor)
{
    public string Folder => Descriptor.Folder;
}
