using System.Collections;
using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// -Environment takes a dictionary. Text there most often means a program's option after the program
/// was taken for a shortened -Environment (grep -e root): say so, and how to pass it to the program.
/// </summary>
public sealed class EnvironmentTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (value is null or IDictionary) return inputData;
        throw new ArgumentTransformationMetadataException(
            $"-Environment takes a dictionary of variables, such as @{{ NAME = 'value' }}; got '{value}'. " +
            "If an option of the program (such as -e) came before it, put -- before the program's arguments: Invoke-Sandboxed grep -- -e root file.");
    }
}
