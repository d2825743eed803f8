using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LandlockPS;

/// <summary>Completes -FilePath with programs on PATH and with file-system paths, as pwsh completes a native command.</summary>
public sealed class ExecutableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string word = wordToComplete ?? string.Empty;
        IEnumerable<CompletionResult> paths = CompletionCompleters.CompleteFilename(word);
        if (word.Contains('/')) return paths;
        IEnumerable<CompletionResult> programs = CompletionCompleters.CompleteCommand(word, moduleName: null, CommandTypes.Application);
        return programs.Concat(paths);
    }
}
