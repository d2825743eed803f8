using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using LandlockPS.Core.Errors;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>
/// Every error id the source raises has one entry in the catalogue (LandlockErrors), and
/// about_LandlockPS lists each entry. Ids are found by reading the source: where an id is written
/// next to an error (see <see cref="IdPlaces"/>), it must be catalogued.
/// </summary>
public class ErrorCatalogueTests
{
    private const string Catalogue = "src/LandlockPS.Core/Errors/LandlockErrors.cs";
    private const string About = "docs/en-US/about_LandlockPS.md";
    private const string Id = "\"(?<id>[A-Z][a-z]+[A-Z][A-Za-z]*)\"";

    // Where an id is written: a named errorId, ErrorHelper's calls, an exception or a policy error
    // built with the id first, the id after a syscall's errno (positional LandlockException), ids
    // chosen by a ternary or a switch arm, an ErrorRecord or HostException with its category, and an
    // id passed before a message (a literal with a space).
    private static readonly Regex[] IdPlaces =
    [
        new($@"errorId\s*[:=]\s*{Id}"),
        new($@"ErrorHelper\.\w+\(\s*{Id}"),
        new($@"ErrorHelper\.Wrap\([^;]*?,\s*{Id}", RegexOptions.Singleline),
        new($@"(?:Exception|Invalid|Violation|\bnew)\(\s*{Id}\s*,"),
        new($@"(?:errno|rc|\d|\?\?\s*0|Errno\.\w+)\s*,\s*{Id}\s*\)"),
        new($@"\?\s*{Id}\s*:"),
        new($@":\s*{Id}\s*\)"),
        new($@"=>\s*{Id}\s*,"),
        new($@"{Id}\s*,\s*(?:ErrorCategory\.|ErrorHelper\.Category)"),
        new($@",\s*{Id}\s*,\s*\$?@?""[^""\n]* "),
    ];

    internal static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LandlockPS.psd1"))) return dir.FullName;
        }
        throw new InvalidOperationException("The repository root (with LandlockPS.psd1) is not above the test binaries.");
    }

    /// <summary>Every id written in the source, with the first place it is written ("file:line").</summary>
    internal static Dictionary<string, string> IdsInSource()
    {
        var found = new Dictionary<string, string>(StringComparer.Ordinal);
        string src = Path.Combine(RepositoryRoot, "src");
        foreach (string file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
                     .Where(f => !f.EndsWith("LandlockErrors.cs", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            string text = File.ReadAllText(file);
            foreach (Match match in IdPlaces.SelectMany(place => place.Matches(text)))
            {
                string where = $"{Path.GetRelativePath(RepositoryRoot, file)}:{text.AsSpan(0, match.Index).Count('\n') + 1}";
                found.TryAdd(match.Groups["id"].Value, where);
            }
        }
        return found;
    }

    [Fact]
    public void EveryIdInTheSourceIsCatalogued()
    {
        string[] missing = IdsInSource()
            .Where(pair => LandlockErrors.Find(pair.Key) is null)
            .Select(pair => $"'{pair.Key}' (used at {pair.Value})")
            .ToArray();
        Assert.True(missing.Length == 0,
            $"Error ids used in the source but missing from the catalogue: {string.Join(", ", missing)}. " +
            $"Add each to {Catalogue} (id, category, one-line meaning) and a row to the errors table in {About}.");
    }

    [Fact]
    public void TheSourceScanFindsIdsInEveryKindOfPlace()
    {
        // If a place's pattern stops matching, the test above would pass for the wrong reason.
        Dictionary<string, string> ids = IdsInSource();
        string[] oneOfEachPlace =
        [
            "DependencyResolutionFailed", "InvalidTimeout", "InvalidEnvironment", "PolicyInvalid", "ReceivedObjectTooLarge",
            "CapabilityDropFailed", "ResourceExhausted", "LandlockNotEnabled", "SandboxPromptUnsafe", "BasePathNotFound",
            "RulesetNotEnforced", "NativeStandardError",
        ];
        Assert.All(oneOfEachPlace, id => Assert.True(ids.ContainsKey(id), $"the scan no longer finds '{id}'"));
        Assert.True(ids.Count >= 60, $"only {ids.Count} ids found");
    }

    [Fact]
    public void EveryCatalogueEntryIsUsedAndWellFormed()
    {
        Dictionary<string, string> ids = IdsInSource();
        Assert.All(LandlockErrors.All, entry =>
        {
            Assert.True(ids.ContainsKey(entry.Id), $"'{entry.Id}' is catalogued but nothing in src/ raises it: remove it from {Catalogue} and {About}");
            Assert.False(string.IsNullOrWhiteSpace(entry.Meaning));
            Assert.DoesNotContain('\n', entry.Meaning);
        });
        string[] names = LandlockErrors.All.Select(e => e.Id).ToArray();
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(names.Length, names.Distinct().Count());
    }

    [Fact]
    public void EveryCategoryIsAPowerShellErrorCategory()
    {
        Assert.All(Enum.GetNames<LandlockErrorCategory>(), name => Assert.True(Enum.TryParse<ErrorCategory>(name, out _), name));
    }

    [Fact]
    public void AboutLandlockPSListsEveryIdWithItsCategoryAndMeaning()
    {
        string[] lines = File.ReadAllLines(Path.Combine(RepositoryRoot, About));
        var rows = lines
            .Select(l => Regex.Match(l, @"^\| `(?<id>\w+)` \| (?<category>\w+)(?<errno> \(or by errno\))? \| (?<meaning>.+) \|$"))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups["id"].Value, m => m);
        string[] missing = LandlockErrors.All.Where(e => !rows.ContainsKey(e.Id)).Select(e => e.Id).ToArray();
        Assert.True(missing.Length == 0, $"{About} has no row in its errors table for: {string.Join(", ", missing)}. " +
            $"Add \"| `Id` | Category | Meaning |\" rows, as {Catalogue} has them.");
        Assert.All(LandlockErrors.All, entry =>
        {
            Match row = rows[entry.Id];
            Assert.Equal(entry.Category.ToString(), row.Groups["category"].Value);
            Assert.Equal(entry.ByErrno, row.Groups["errno"].Success);
            Assert.Equal(entry.Meaning, row.Groups["meaning"].Value);
        });
        Assert.DoesNotContain(rows.Keys, id => LandlockErrors.Find(id) is null);
    }

    // A cmdlet (Verb-Noun), a parameter (-Name) or a preference variable ($PSName, $NamePreference).
    internal static readonly Regex PowerShellTerm = new(@"(?<![\w-])-[A-Z][a-z][A-Za-z]*|\b[A-Z][a-z]+-[A-Z][a-z]\w*|\$(?:PS\w+|\w+Preference)\b");

    // Core knows nothing of PowerShell: a meaning says what went wrong in words true for any caller of
    // Core; the cmdlets' help and messages name their parameters.
    [Fact]
    public void NoMeaningNamesACmdletOrParameter()
    {
        string[] named = LandlockErrors.All.Where(e => PowerShellTerm.IsMatch(e.Meaning)).Select(e => $"{e.Id} ('{PowerShellTerm.Match(e.Meaning).Value}')").ToArray();
        Assert.True(named.Length == 0, $"Meanings in {Catalogue} that name a cmdlet, parameter or variable of the PowerShell module: {string.Join(", ", named)}.");
    }

    // A string literal of one line, as the source spells it; an interpolation's own literals count too.
    private static readonly Regex StringLiteral = new(@"""(?:[^""\\\n]|\\.)*""");

    // The same for every text Core writes (a message, a warning, a remedy), read from its code, not
    // its comments: the cmdlet layer words PowerShell advice (ErrorHelper, from a LandlockRemedy).
    [Fact]
    public void NoCoreMessageNamesACmdletOrParameter()
    {
        string core = Path.Combine(RepositoryRoot, "src", "LandlockPS.Core");
        var named = new List<string>();
        foreach (string file in Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)))
        {
            string[] lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                named.AddRange(StringLiteral.Matches(lines[i]).Select(literal => PowerShellTerm.Match(literal.Value)).Where(m => m.Success)
                    .Select(m => $"'{m.Value}' at {Path.GetRelativePath(RepositoryRoot, file)}:{i + 1}"));
            }
        }
        Assert.True(named.Count == 0, $"Core names PowerShell in its messages: {string.Join(", ", named)}. Set a LandlockRemedy and word it in ErrorHelper.");
    }

    [Theory]
    [InlineData("PathNotAccessible", 0, LandlockErrorCategory.PermissionDenied)]
    [InlineData("PathNotAccessible", LandlockPS.Core.Native.Errno.ELOOP, LandlockErrorCategory.PermissionDenied)]
    [InlineData("LaunchFailed", LandlockPS.Core.Native.Errno.EACCES, LandlockErrorCategory.PermissionDenied)]
    [InlineData("LaunchFailed", LandlockPS.Core.Native.Errno.ETXTBSY, LandlockErrorCategory.NotSpecified)]
    [InlineData("PolicyFileNotWritten", LandlockPS.Core.Native.Errno.EROFS, LandlockErrorCategory.WriteError)]
    [InlineData("PolicyFileNotWritten", LandlockPS.Core.Native.Errno.EPERM, LandlockErrorCategory.PermissionDenied)]
    [InlineData("NoSuchId", LandlockPS.Core.Native.Errno.ENOMEM, LandlockErrorCategory.ResourceUnavailable)]
    public void AnIdHasOneCategoryUnlessItsErrnoDecides(string id, int errno, LandlockErrorCategory expected)
    {
        Assert.Equal(expected, LandlockErrors.CategoryOf(id, errno));
    }

    // Core's messages name its own API; the cmdlet layer names every remedy as the parameter that sets it.
    [Theory]
    [MemberData(nameof(Remedies))]
    public void EveryRemedyIsNamedInPowerShellTerms(LandlockRemedy remedy)
    {
        var error = new LandlockPS.Core.LandlockAccessException("AccessNotInAbi", "Something went wrong.") { Remedy = remedy };
        LandlockPS.Core.LandlockException shown = ErrorHelper.InPowerShellTerms(error);
        Assert.IsType<LandlockPS.Core.LandlockAccessException>(shown);
        Assert.Equal(error.ErrorId, shown.ErrorId);
        Assert.StartsWith("Something went wrong. ", error.Message);
        Assert.Matches(@"^Something went wrong\. (.* )?-[A-Z][A-Za-z]+ ", shown.Message);
    }

    public static TheoryData<LandlockRemedy> Remedies() => new(Enum.GetValues<LandlockRemedy>().Where(r => r != LandlockRemedy.None));
}
