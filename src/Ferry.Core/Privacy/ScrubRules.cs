namespace Ferry.Core.Privacy;

/// <summary>
/// The <c>scrub</c> section of a rules file: the free-text scrubber that runs over every string value no rule names.
/// <code>
/// "scrub": { "enabled": true, "detectors": { "phone": false }, "entropy_threshold": 4.2, "entropy_minimum_length": 20 }
/// </code>
/// Left out, the scrubber is on with every detector of <see cref="FreeTextScrubber.Detectors"/>.
/// </summary>
public sealed record ScrubRules
{
    public const double DefaultEntropyThreshold = 4.2;
    public const int DefaultEntropyMinimumLength = 20;

    /// <summary>False turns the whole scrubber off. Null (left out): on.</summary>
    public bool? Enabled { get; init; }

    /// <summary>Per detector name (see <see cref="FreeTextScrubber.Detectors"/>): false turns it off. Detectors left out are on.</summary>
    public IReadOnlyDictionary<string, bool>? Detectors { get; init; }

    /// <summary>Shannon entropy in bits per character from which a token counts as a secret (<c>high_entropy</c>). Null: 4.2; valid 1.0 to 6.0.</summary>
    public double? EntropyThreshold { get; init; }

    /// <summary>The shortest token, in characters, the <c>high_entropy</c> detector looks at. Null: 20; valid 8 to 1,024.</summary>
    public int? EntropyMinimumLength { get; init; }

    internal double Threshold => EntropyThreshold ?? DefaultEntropyThreshold;

    internal int MinimumLength => EntropyMinimumLength ?? DefaultEntropyMinimumLength;

    /// <summary>True unless the section turns the scrubber or <paramref name="detector"/> off.</summary>
    public bool IsOn(string detector) => Enabled != false && (Detectors is null || !Detectors.TryGetValue(detector, out var on) || on);

    /// <summary>Throws <see cref="PrivacyException"/> for an unknown detector or a value out of range.</summary>
    public void Validate(string source)
    {
        foreach (var name in Detectors?.Keys ?? [])
        {
            if (!FreeTextScrubber.Detectors.Contains(name))
            {
                throw new PrivacyException($"{source}: \"scrub\" names the detector '{name}'; use one of {string.Join(", ", FreeTextScrubber.Detectors)}");
            }
        }

        if (!(Threshold is >= 1.0 and <= 6.0))
        {
            throw new PrivacyException($"{source}: \"scrub\".\"entropy_threshold\" is {EntropyThreshold}; give bits per character from 1.0 to 6.0 (default 4.2)");
        }

        if (MinimumLength is < 8 or > 1024)
        {
            throw new PrivacyException($"{source}: \"scrub\".\"entropy_minimum_length\" is {EntropyMinimumLength}; give 8 to 1,024 characters (default 20)");
        }
    }
}
