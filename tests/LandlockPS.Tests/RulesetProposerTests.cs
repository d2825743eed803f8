using System.IO;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;
using LandlockPS.Core.Propose;
using Xunit;

namespace LandlockPS.Tests;

/// <summary>How traced accesses become a proposed ruleset: each mapping, the collapses, the flags, the granularities, the counts.</summary>
public sealed class RulesetProposerTests
{
    private const LandlockAccessFs Program = LandlockAccessFs.ReadFile | LandlockAccessFs.Execute;

    private static LandlockAccessEvent Event(string path, LandlockAccessFs access, long count = 1, string operation = "open", string? linkTarget = null) =>
        new() { Program = "/usr/bin/tool", Operation = operation, Path = path, LinkTarget = linkTarget, Access = access, Count = count };

    private static LandlockAccessEvent Net(int port, LandlockAccessNet access, string operation) =>
        new() { Program = "/usr/bin/tool", Operation = operation, Port = port, NetAccess = access };

    private static LandlockProposal Propose(ProposalOptions? options = null, params LandlockAccessEvent[] events) =>
        RulesetProposer.Propose(events, options ?? new ProposalOptions(Home: "/root", TempFolder: "/tmp"));

    private static LandlockAccessFs? RuleOn(LandlockProposal proposal, string path) =>
        proposal.Ruleset.PathRules.FirstOrDefault(r => r.Path == path)?.Access;

    [Fact]
    public void AFileReadGivesARuleOnThatFileAloneAndTheSecretBesideItGetsNone()
    {
        using var tree = new TempTree();
        string data = tree.File("data/input.txt", "x");
        string secret = tree.File("secret.txt");

        LandlockProposal proposal = Propose(null, Event(data, LandlockAccessFs.ReadFile));

        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, data));
        Assert.Single(proposal.Ruleset.PathRules);
        Assert.DoesNotContain(proposal.Ruleset.PathRules, r => PathIsWithin(secret, r.Path));
        Assert.Equal(AbiFeatures.Of(AbiFeatures.Newest).AccessFs, proposal.Ruleset.HandledAccessFs);
    }

    [Fact]
    public void AFolderListedGivesReadDirOnIt()
    {
        using var tree = new TempTree();
        string data = tree.Dir("data");

        LandlockProposal proposal = Propose(null, Event(data, LandlockAccessFs.ReadDir));

        Assert.Equal(LandlockAccessFs.ReadDir, RuleOn(proposal, data));
    }

    [Fact]
    public void AFileCreatedGivesTheRightsToMakeAndRewriteItOnItsFolder()
    {
        using var tree = new TempTree();
        string output = tree.Dir("out");

        LandlockProposal proposal = Propose(null, Event(Path.Combine(output, "result.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));

        Assert.Equal(LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg | LandlockAccessFs.Truncate, RuleOn(proposal, output));
        Assert.Equal("made or removed in this folder", proposal.Rules.Single().Basis);
    }

    [Fact]
    public void ARemovalGivesRemoveFileOnTheFolderAndWhatWasDoneWithTheRemovedFileGoesThereToo()
    {
        using var tree = new TempTree();
        string spool = tree.Dir("spool");
        string job = tree.File("spool/job-1");
        File.Delete(job); // the trial consumed it: it is gone by the time the proposal is made

        LandlockProposal proposal = Propose(null,
            Event(job, LandlockAccessFs.ReadFile, count: 2),
            Event(job, LandlockAccessFs.RemoveFile, operation: "unlink"));

        Assert.Equal(LandlockAccessFs.ReadFile | LandlockAccessFs.RemoveFile, RuleOn(proposal, spool));
        Assert.Single(proposal.Ruleset.PathRules);
    }

    [Fact]
    public void WhatTheTrialDidInsideAFolderItMadeGoesOnTheFolderItWasMadeIn()
    {
        using var tree = new TempTree();
        string output = tree.Dir("out");
        string made = Path.Combine(output, "run-42");

        LandlockProposal proposal = Propose(null,
            Event(made, LandlockAccessFs.MakeDir, operation: "mkdir"),
            Event(Path.Combine(made, "log.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg),
            Event(Path.Combine(made, "log.txt"), LandlockAccessFs.ReadFile),
            Event(made, LandlockAccessFs.ReadDir));

        Assert.Equal(LandlockAccessFs.MakeDir | LandlockAccessFs.MakeReg | LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate
            | LandlockAccessFs.ReadFile | LandlockAccessFs.ReadDir, RuleOn(proposal, output));
        Assert.Single(proposal.Ruleset.PathRules);
        Assert.Empty(proposal.Notes);
        Assert.Empty(proposal.MissingPlaces);
    }

    [Fact]
    public void ExecuteGoesOnTheProgramAndEveryInterpreterTheKernelOpensForIt()
    {
        using var tree = new TempTree();
        string interpreter = tree.File("bin/interp", "#!/bin/sh\nexec cat \"$@\"\n");
        string script = tree.File("bin/tool", $"#!{interpreter}\n");
        File.SetUnixFileMode(interpreter, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserExecute);

        LandlockProposal proposal = Propose(null, Event(script, LandlockAccessFs.Execute, operation: "execve"));

        Assert.Equal(Program, RuleOn(proposal, script));
        Assert.Equal(Program, RuleOn(proposal, interpreter));
        // /bin/sh and its ELF interpreter (the loader, links resolved) are in /usr: collapsed there.
        Assert.Equal(LandlockAccessFs.ReadExecute, RuleOn(proposal, "/usr"));
    }

    [Fact]
    public void AProgramsElfInterpreterIsAllowedToo()
    {
        using var tree = new TempTree();
        string program = Path.Combine(tree.Dir("bin"), "true");
        File.Copy("/usr/bin/true", program);

        LandlockProposal proposal = Propose(null, Event(program, LandlockAccessFs.Execute, operation: "execve"));

        Assert.Equal(Program, RuleOn(proposal, program));
        // Nothing traced touched /usr: the rule there is for the loader the kernel opens (/lib64/ld-linux-*.so.2, links resolved).
        Assert.Equal(LandlockAccessFs.ReadExecute, RuleOn(proposal, "/usr"));
        Assert.Equal(2, proposal.Ruleset.PathRules.Count);
    }

    [Fact]
    public void AnInterpreterTheKernelWouldNotExecuteGetsNoRule()
    {
        using var tree = new TempTree();
        string notExecutable = tree.File("data/plain.txt", "not a program");
        string script = tree.File("bin/tool", $"#!{notExecutable}\n");

        LandlockProposal proposal = Propose(null, Event(script, LandlockAccessFs.Execute, operation: "execve"));

        Assert.Null(RuleOn(proposal, notExecutable));
    }

    [Fact]
    public void ConnectsAndBindsGiveTheirPortsAndUdpOnlyWhereTheAbiHandlesIt()
    {
        LandlockProposal proposal = Propose(new ProposalOptions(LandlockAbi.V7),
            Net(8080, LandlockAccessNet.ConnectTcp, "connect"),
            Net(8080, LandlockAccessNet.ConnectTcp, "connect") with { Count = 3 },
            Net(9000, LandlockAccessNet.BindTcp, "bind"),
            Net(53, LandlockAccessNet.ConnectSendUdp, "connect"));

        Assert.Equal([8080, 9000], proposal.Ruleset.NetRules.Select(r => r.Port));
        Assert.Equal(LandlockAccessNet.ConnectTcp, proposal.Ruleset.NetRules[0].Access);
        Assert.Equal(LandlockAccessNet.BindTcp, proposal.Ruleset.NetRules[1].Access);
        Assert.Equal(4, proposal.Rules.Single(r => r.Port == 8080).SeenCount);
        Assert.Contains(proposal.Notes, n => n.Contains("port 53"));

        LandlockProposal udp = Propose(new ProposalOptions(LandlockAbi.V10), Net(53, LandlockAccessNet.ConnectSendUdp, "connect"));
        Assert.Equal(LandlockAccessNet.ConnectSendUdp, Assert.Single(udp.Ruleset.NetRules).Access);
    }

    [Theory]
    [InlineData("/usr/lib/os-release", "/usr", LandlockAccessFs.ReadExecute)]
    [InlineData("/usr/share/zoneinfo", "/usr", LandlockAccessFs.ReadExecute)]
    [InlineData("/proc/self/status", "/proc", LandlockAccessFs.ReadOnly)]
    public void ReadsInSystemTreesCollapseToTheirRoots(string path, string root, LandlockAccessFs granted)
    {
        LandlockProposal proposal = Propose(null, Event(path, LandlockAccessFs.ReadFile, count: 5), Event("/usr/bin/env", LandlockAccessFs.Execute, count: 2));

        Assert.Equal(granted, RuleOn(proposal, root));
        Assert.DoesNotContain(proposal.Ruleset.PathRules, r => r.Path == path);
    }

    [Fact]
    public void CertificatesCollapseToTheirFolderWhileOtherEtcFilesKeepRulesOfTheirOwn()
    {
        // Debian's /etc/ssl/certs; where a machine has none, the rest still holds.
        string? certificate = Directory.Exists("/etc/ssl/certs") ? Directory.EnumerateFiles("/etc/ssl/certs").FirstOrDefault() : null;
        LandlockAccessEvent[] events = [Event("/etc/passwd", LandlockAccessFs.ReadFile), .. certificate is null ? [] : new[] { Event(certificate, LandlockAccessFs.ReadFile) }];

        LandlockProposal proposal = Propose(null, events);

        if (certificate is not null) Assert.Equal(LandlockAccessFs.ReadOnly, RuleOn(proposal, "/etc/ssl/certs"));
        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, "/etc/passwd"));
        Assert.Null(RuleOn(proposal, "/etc"));
        Assert.Null(RuleOn(proposal, "/etc/ssl"));
    }

    [Fact]
    public void TheRuleGoesOnWhatALinkLedTo()
    {
        using var tree = new TempTree();
        string real = tree.File("real/config", "x");
        string link = Path.Combine(tree.Root, "config-link");
        File.CreateSymbolicLink(link, real);

        LandlockProposal proposal = Propose(null, Event(link, LandlockAccessFs.ReadFile, linkTarget: real));

        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, real));
        Assert.Null(RuleOn(proposal, link));
    }

    [Theory]
    [InlineData("/etc/hosts", LandlockAccessFs.WriteFile, LandlockRuleFlag.SystemWrite)]
    [InlineData("/usr/bin/env", LandlockAccessFs.WriteFile, LandlockRuleFlag.SystemWrite)]
    [InlineData("/etc/shadow", LandlockAccessFs.ReadFile, LandlockRuleFlag.Secret)]
    public void FlaggedRulesAreLeftOutUnlessAskedFor(string path, LandlockAccessFs access, LandlockRuleFlag flag)
    {
        LandlockProposal proposal = Propose(null, Event(path, access));

        LandlockProposedRule rule = Assert.Single(proposal.Rules);
        Assert.True(rule.Flag.HasFlag(flag));
        Assert.False(rule.Included);
        Assert.NotNull(rule.FlagReason);
        Assert.Empty(proposal.Ruleset.PathRules);
        Assert.Contains($"-LiteralPath '{path}'", AccessFixText.Command(rule));

        LandlockProposal included = Propose(new ProposalOptions(Home: "/root", IncludeFlagged: true), Event(path, access));
        Assert.Equal(access, RuleOn(included, path));
        Assert.True(Assert.Single(included.Rules).Included);
    }

    [Fact]
    public void WritesInAHomeFolderItselfOrItsDotFilesAndSecretLookingFilesAreFlaggedButWorkBelowAHomeIsNot()
    {
        using var tree = new TempTree();
        string home = tree.Dir("home");
        string profile = tree.File("home/.profile", "x");
        string key = tree.File("home/work/server.pem", "x");
        string work = tree.Dir("home/work/out");
        var options = new ProposalOptions(Home: home);

        LandlockProposal proposal = Propose(options,
            Event(Path.Combine(home, "new.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg),
            Event(profile, LandlockAccessFs.WriteFile),
            Event(key, LandlockAccessFs.ReadFile),
            Event(Path.Combine(work, "result.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));

        Assert.True(proposal.Rules.Single(r => r.Path == home).Flag.HasFlag(LandlockRuleFlag.HomeWrite));
        // Not folded into the home's rule: that one is left out, and this one would go with it.
        Assert.True(proposal.Rules.Single(r => r.Path == profile).Flag.HasFlag(LandlockRuleFlag.HomeWrite));
        Assert.Equal(LandlockRuleFlag.Secret, proposal.Rules.Single(r => r.Path == key).Flag);
        Assert.Equal(work, Assert.Single(proposal.Ruleset.PathRules).Path);
    }

    [Theory]
    [InlineData(ProposalGranularity.File)]
    [InlineData(ProposalGranularity.Directory)]
    public void AWriteToARepositorysGitFolderIsFlaggedAndTheReadsOfItStayIn(ProposalGranularity granularity)
    {
        // What git status does: reads the repository, and refreshes its index through index.lock.
        using var tree = new TempTree();
        string git = tree.Dir("repo/.git");
        string head = tree.File("repo/.git/HEAD", "ref: refs/heads/main\n");
        string index = tree.File("repo/.git/index", "x");
        string refs = tree.Dir("repo/.git/refs");
        string lockFile = Path.Combine(git, "index.lock");
        LandlockAccessEvent[] trial =
        [
            Event(head, LandlockAccessFs.ReadFile), Event(index, LandlockAccessFs.ReadFile), Event(refs, LandlockAccessFs.ReadDir),
            Event(lockFile, LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg),
            Event(lockFile, LandlockAccessFs.RemoveFile, operation: "unlink"),
        ];
        var options = new ProposalOptions(Granularity: granularity, Home: "/root", TempFolder: "/tmp");

        LandlockProposal proposal = Propose(options, trial);

        LandlockProposedRule write = Assert.Single(proposal.Rules, r => r.Path == git && !r.Included);
        Assert.Equal(LandlockRuleFlag.RepositoryWrite, write.Flag);
        Assert.Contains("hooks", write.FlagReason);
        Assert.True(write.Access.HasFlag(LandlockAccessFs.MakeReg | LandlockAccessFs.RemoveFile));
        // No included rule writes anywhere in .git; each read of it is granted.
        Assert.DoesNotContain(proposal.Ruleset.PathRules, r => PathIsWithin(r.Path, git) && (r.Access & ~LandlockAccessFs.ReadOnly) != 0);
        foreach (string read in new[] { head, index, refs })
        {
            Assert.Contains(proposal.Ruleset.PathRules, r => PathIsWithin(read, r.Path) && r.Access.HasFlag(read == refs ? LandlockAccessFs.ReadDir : LandlockAccessFs.ReadFile));
        }

        LandlockProposal granted = Propose(options with { IncludeFlagged = true }, trial);
        Assert.Contains(granted.Ruleset.PathRules, r => r.Path == git && r.Access.HasFlag(LandlockAccessFs.MakeReg));
        // Both parts of .git granted: what they cover together gets no rule of its own.
        if (granularity == ProposalGranularity.Directory) Assert.DoesNotContain(granted.Ruleset.PathRules, r => r.Path == head || r.Path == index);
    }

    [Fact]
    public void ARepositorysFolderIsKnownByWhatItHoldsByALinkToItAndOneLevelBelowAWrite()
    {
        using var tree = new TempTree();
        // git init --separate-git-dir: the repository's folder has any name.
        string store = tree.Dir("store/proj");
        tree.File("store/proj/HEAD", "ref: refs/heads/main\n");
        tree.Dir("store/proj/objects");
        tree.Dir("store/proj/refs/heads");
        // A .git that is a link to another folder: the trial names .git, the kernel checks the target.
        string linked = tree.Dir("elsewhere/gitdir");
        string work = tree.Dir("work");
        File.CreateSymbolicLink(Path.Combine(work, ".git"), linked);
        // A repository one level below the folder a new file was made in.
        string parent = tree.Dir("projects");
        tree.Dir("projects/app/.git");
        string plain = tree.Dir("plain/sub");
        LandlockAccessFs made = LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg;

        LandlockProposal proposal = Propose(null,
            Event(Path.Combine(store, "index.lock"), made),
            Event(Path.Combine(work, ".git", "index.lock"), made, linkTarget: Path.Combine(linked, "index.lock")),
            Event(Path.Combine(parent, "notes.txt"), made),
            Event(Path.Combine(plain, "notes.txt"), made));

        foreach (string place in new[] { store, linked, parent })
        {
            Assert.Equal(LandlockRuleFlag.RepositoryWrite, Assert.Single(proposal.Rules, r => r.Path == place).Flag);
        }
        Assert.Equal(plain, Assert.Single(proposal.Ruleset.PathRules).Path);
    }

    [Fact]
    public void AWriteOnAFolderHoldingARepositoryIsFlaggedButNotOnePlainFolder()
    {
        using var tree = new TempTree();
        string repo = tree.Dir("repo");
        tree.File("repo/.git", "gitdir: ../elsewhere\n");
        string plain = tree.Dir("plain");
        LandlockAccessFs made = LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg;

        LandlockProposal proposal = Propose(null, Event(Path.Combine(repo, "out.txt"), made), Event(Path.Combine(plain, "out.txt"), made));

        Assert.Equal(LandlockRuleFlag.RepositoryWrite, proposal.Rules.Single(r => r.Path == repo).Flag);
        Assert.Equal(LandlockRuleFlag.None, proposal.Rules.Single(r => r.Path == plain).Flag);
        Assert.Equal(plain, Assert.Single(proposal.Ruleset.PathRules).Path);
    }

    [Fact]
    public void ListingRootOrATempFolderIsFlaggedAndWhatElseThePlaceNeedsStaysIn()
    {
        // What a script block's pwsh does: it lists each folder above a path it resolves.
        using var tree = new TempTree();
        string data = tree.Dir("data");
        string file = tree.File("data/a.txt", "x");
        var options = new ProposalOptions(Home: "/root", TempFolder: tree.Root);

        LandlockProposal proposal = Propose(options,
            Event("/", LandlockAccessFs.ReadDir), Event(tree.Root, LandlockAccessFs.ReadDir), Event(data, LandlockAccessFs.ReadDir),
            Event(file, LandlockAccessFs.ReadFile), Event(Path.Combine(tree.Root, "made.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));

        Assert.Equal(LandlockRuleFlag.WideListing, Assert.Single(proposal.Rules, r => r.Path == "/").Flag);
        LandlockProposedRule listing = Assert.Single(proposal.Rules, r => r.Path == tree.Root && r.Access == LandlockAccessFs.ReadDir);
        Assert.Equal(LandlockRuleFlag.WideListing, listing.Flag);
        Assert.False(listing.Included);
        // The temp folder's writes stay, apart from its listing; the data folder's listing and the file are granted.
        Assert.Equal(LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg | LandlockAccessFs.Truncate, RuleOn(proposal, tree.Root));
        Assert.Equal(LandlockAccessFs.ReadDir, RuleOn(proposal, data));
        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, file));
        Assert.Null(RuleOn(proposal, "/"));
    }

    [Theory]
    [InlineData("/opt/app/venv/lib/python3.11/site-packages/certifi/cacert.pem", false)]
    [InlineData("/srv/tls/ca-bundle.pem", false)]
    [InlineData("/etc/letsencrypt/live/example.org/fullchain.pem", false)]
    [InlineData("/etc/letsencrypt/live/example.org/cert.pem", false)]
    [InlineData("/etc/letsencrypt/live/example.org/privkey.pem", true)]
    [InlineData("/srv/tls/server.pem", true)]
    [InlineData("/srv/tls/server-key.pem", true)]
    public void APublicCertificateBundleIsNoSecretButAnyOtherPemIs(string path, bool secret) =>
        Assert.Equal(secret, ProposalPlaces.LooksSecret(path, "/home/u"));

    [Fact]
    public void AFolderRuleIsFlaggedWhenASecretLookingFileBehindItWasTouched()
    {
        using var tree = new TempTree();
        string folder = tree.Dir("conf");
        string key = tree.File("conf/deploy.key", "x");
        tree.File("conf/settings.ini", "x");

        LandlockProposal proposal = Propose(new ProposalOptions(Granularity: ProposalGranularity.Directory), Event(key, LandlockAccessFs.ReadFile));

        LandlockProposedRule rule = Assert.Single(proposal.Rules);
        Assert.Equal(folder, rule.Path);
        Assert.Equal(LandlockRuleFlag.Secret, rule.Flag);
        Assert.Empty(proposal.Ruleset.PathRules);
    }

    [Fact]
    public void DirectoryGranularityGrantsEachFilesFolderButNeverATopFolder()
    {
        using var tree = new TempTree();
        string logs = tree.Dir("logs");
        string monday = tree.File("logs/monday.log", "x");
        string topLevel = tree.File("loose.txt", "x");

        LandlockProposal proposal = Propose(new ProposalOptions(Granularity: ProposalGranularity.Directory, TempFolder: tree.Root),
            Event(monday, LandlockAccessFs.ReadFile), Event("/etc/passwd", LandlockAccessFs.ReadFile), Event(topLevel, LandlockAccessFs.ReadFile));

        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, logs));
        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, "/etc/passwd"));
        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, topLevel));
        Assert.Null(RuleOn(proposal, monday));
    }

    [Fact]
    public void TreeGranularityMergesAlikeAccessesIntoTheirDeepestCommonFolder()
    {
        using var tree = new TempTree();
        string app = tree.Dir("app");
        string a = tree.File("app/src/lib/a.c", "x");
        string b = tree.File("app/test/b.c", "x");
        string output = tree.Dir("app/build");

        LandlockProposal proposal = Propose(new ProposalOptions(Granularity: ProposalGranularity.Tree, TempFolder: tree.Root),
            Event(a, LandlockAccessFs.ReadFile, count: 2), Event(b, LandlockAccessFs.ReadFile, count: 3),
            Event(Path.Combine(output, "a.o"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));

        Assert.Equal(LandlockAccessFs.ReadFile, RuleOn(proposal, app));
        Assert.Equal(5, proposal.Rules.Single(r => r.Path == app).SeenCount);
        Assert.Equal(LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg | LandlockAccessFs.Truncate, RuleOn(proposal, output));
        Assert.Equal(2, proposal.Ruleset.PathRules.Count);
    }

    [Fact]
    public void EveryRuleCarriesHowOftenItWasSeenAndByWhom()
    {
        using var tree = new TempTree();
        string data = tree.File("data.txt", "x");

        LandlockProposal proposal = Propose(null,
            Event(data, LandlockAccessFs.ReadFile, count: 7),
            Event(data, LandlockAccessFs.ReadFile, count: 2) with { Program = "/usr/bin/other" },
            Event("/usr/lib/os-release", LandlockAccessFs.ReadFile, count: 4),
            Event("/usr/share/zoneinfo", LandlockAccessFs.ReadDir, count: 1));

        LandlockProposedRule file = proposal.Rules.Single(r => r.Path == data);
        Assert.Equal(9, file.SeenCount);
        Assert.Equal(2, file.AccessCount);
        Assert.Equal(["/usr/bin/tool", "/usr/bin/other"], file.Programs);
        LandlockProposedRule system = proposal.Rules.Single(r => r.Path == "/usr");
        Assert.Equal(5, system.SeenCount);
        Assert.Equal("system tree", system.Basis);
    }

    [Fact]
    public void ARuleAFolderRuleAboveAlreadyGrantsJoinsItsEvidence()
    {
        using var tree = new TempTree();
        string output = tree.Dir("out");
        string existing = tree.File("out/old.txt", "x");

        LandlockProposal proposal = Propose(null,
            Event(Path.Combine(output, "new.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg),
            Event(existing, LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate, count: 4));

        Assert.Single(proposal.Ruleset.PathRules);
        Assert.Equal(5, proposal.Rules.Single().SeenCount);
    }

    [Fact]
    public void ImplicitAccessesScratchHomesAndExcludedPathsStayOut()
    {
        using var tree = new TempTree();
        string data = tree.File("data.txt", "x");
        string cache = tree.File("cache/blob", "x");
        string scratch = tree.File("landlockps-home-1-abc/.config/x", "x");

        LandlockProposal proposal = Propose(new ProposalOptions(ExcludedPaths: [Path.GetDirectoryName(cache)!]),
            Event(data, LandlockAccessFs.ReadFile),
            Event("/opt/pwsh/pwsh.dll", LandlockAccessFs.ReadFile) with { Implicit = true },
            Event(scratch, LandlockAccessFs.WriteFile),
            Event(cache, LandlockAccessFs.ReadFile));

        Assert.Equal(data, Assert.Single(proposal.Ruleset.PathRules).Path);
        Assert.Equal(3, proposal.Notes.Count);
    }

    [Fact]
    public void APlaceThatIsGoneGetsNoRuleAndIsReported()
    {
        using var tree = new TempTree();
        string gone = Path.Combine(tree.Root, "gone.txt");

        LandlockProposal proposal = Propose(null, Event(gone, LandlockAccessFs.ReadFile));

        Assert.Empty(proposal.Ruleset.PathRules);
        Assert.Equal([gone], proposal.MissingPlaces);
    }

    [Fact]
    public void RightsTheAbiDoesNotHaveGetNoRule()
    {
        using var tree = new TempTree();
        string file = tree.File("log.txt", "x");

        LandlockProposal proposal = Propose(new ProposalOptions(LandlockAbi.V2), Event(file, LandlockAccessFs.WriteFile | LandlockAccessFs.Truncate));

        Assert.Equal(LandlockAccessFs.WriteFile, RuleOn(proposal, file));
        Assert.Equal(LandlockAbi.V2, proposal.Ruleset.Abi);
    }

    [Fact]
    public void TheProposalConfinesARealProgramToWhatTheTrialDid()
    {
        using var tree = new TempTree();
        string input = tree.File("data/input.txt", "evidence\n");
        string secret = tree.File("secret.txt", "secret\n");
        string output = tree.Dir("out");
        LandlockProposal proposal = Propose(new ProposalOptions(KernelFacts.Support.EffectiveAbi!.Value),
            Event("/bin/sh", LandlockAccessFs.Execute, linkTarget: PathOf("/bin/sh")),
            Event("/usr/bin/cat", LandlockAccessFs.Execute),
            Event(input, LandlockAccessFs.ReadFile),
            Event(Path.Combine(output, "copy.txt"), LandlockAccessFs.WriteFile | LandlockAccessFs.MakeReg));

        Assert.Equal(0, SandboxHarness.Sh(proposal.Ruleset, $"cat {input} > {output}/copy.txt").ExitCode);
        Assert.Equal("evidence\n", File.ReadAllText(Path.Combine(output, "copy.txt")));
        // Run again: the file the trial left is written over.
        Assert.Equal(0, SandboxHarness.Sh(proposal.Ruleset, $"cat {input} > {output}/copy.txt").ExitCode);
        Assert.NotEqual(0, SandboxHarness.Sh(proposal.Ruleset, $"cat {secret}").ExitCode);
        Assert.NotEqual(0, SandboxHarness.Sh(proposal.Ruleset, $"echo x > {tree.Root}/elsewhere.txt").ExitCode);
        Assert.False(File.Exists(Path.Combine(tree.Root, "elsewhere.txt")));
    }

    private static string PathOf(string link) => new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;

    private static bool PathIsWithin(string path, string root) => path == root || path.StartsWith(root + "/", System.StringComparison.Ordinal);
}
