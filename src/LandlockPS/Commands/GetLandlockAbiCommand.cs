using System.Management.Automation;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Commands;

/// <summary>Reports whether and how far the running kernel supports Landlock.</summary>
[Cmdlet(VerbsCommon.Get, "LandlockAbi", DefaultParameterSetName = DefaultSet)]
[OutputType(typeof(LandlockSupport), ParameterSetName = [DefaultSet])]
[OutputType(typeof(AbiFeatures), ParameterSetName = [ListSet])]
public sealed class GetLandlockAbiCommand : PSCmdlet
{
    private const string DefaultSet = "Kernel";
    private const string ListSet = "List";

    /// <summary>Lists every ABI the module knows with what it adds, instead of querying the kernel.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ListSet)]
    public SwitchParameter ListKnown { get; set; }

    protected override void EndProcessing()
    {
        if (ListKnown)
        {
            WriteObject(AbiFeatures.All, enumerateCollection: true);
            return;
        }
        WriteObject(LandlockSupport.Query());
    }
}
