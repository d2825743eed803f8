namespace LandlockPS.Core.Propose;

/// <summary>How far a proposal widens what the trial touched: tightest first.</summary>
public enum ProposalGranularity
{
    /// <summary>Each file read, written or run gets a rule of its own; folders only where entries were listed, made or removed.</summary>
    File,

    /// <summary>The folder of each file instead: the trial's neighbours too, so a file the trial did not happen to open still works.</summary>
    Directory,

    /// <summary>
    /// As Directory, then the folders of alike accesses beneath one top folder (the first level below /,
    /// a home, the temp folder...) merge into the deepest folder holding them all.
    /// </summary>
    Tree,
}
