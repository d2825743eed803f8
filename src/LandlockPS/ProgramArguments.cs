using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;

namespace LandlockPS;

/// <summary>
/// A program's arguments as <c>&amp;</c> passes them to a native command, from what PowerShell left
/// over after binding Invoke-Sandboxed's own parameters; and the check that no argument meant for
/// the program was taken by a shortened LandlockPS parameter name (-c for -ClearEnvironment).
/// </summary>
internal static class ProgramArguments
{
    // The statement parsed last: a loop runs the same statement over and over, and parsing it again
    // costs more than the rest of a short run's preparation. An AST is only ever read.
    private static ParsedStatement? _lastParsed;

    private sealed record ParsedStatement(string Text, string Name, CommandAst? Command);

    /// <summary>
    /// The arguments in order: arrays give one argument per item (one level, as <c>&amp;</c> does),
    /// $null gives none, everything else its string form. <c>-name:value</c> written as one word
    /// stays one argument, as <c>&amp;</c> passes it (PowerShell hands it over as "-name:" and the value).
    /// </summary>
    /// <para>
    /// With <paramref name="expand"/>, a word not typed in quotes is expanded as <c>&amp;</c> expands it on
    /// Unix (wildcards against the file system, a leading ~), when each value can be told to its word.
    /// </para>
    internal static string[] From(IEnumerable<object?> remaining, CommandAst? command, CommandInfo? cmdlet = null, Func<string, IEnumerable<string>>? expand = null)
    {
        object?[] values = remaining.ToArray();
        IReadOnlyList<CommandElementAst>? words = command is not null && cmdlet is not null && expand is not null ? ProgramWords(command, cmdlet) : null;
        bool expanding = words is not null && words.Count == values.Length;
        Queue<string> attached = new(command is null ? [] : AttachedParameterTexts(command));
        var arguments = new List<string>();
        string? pending = null;
        for (int i = 0; i < values.Length; i++)
        {
            bool expands = expanding && !IsQuoted(words![i]);
            foreach (object? item in Flatten(values[i]))
            {
                string text = LanguagePrimitives.ConvertTo<string>(item) ?? string.Empty;
                if (pending is not null)
                {
                    arguments.Add(pending + text);
                    pending = null;
                }
                else if (attached.TryPeek(out string? parameter) && text == parameter)
                {
                    pending = attached.Dequeue();
                }
                else if (expands)
                {
                    arguments.AddRange(expand!(text));
                }
                else
                {
                    arguments.Add(text);
                }
            }
        }
        if (pending is not null) arguments.Add(pending);
        return arguments.ToArray();
    }

    // As PowerShell's native binder judges a word: a string typed in quotes is kept as it is, and so is
    // an array written out (x,*.md), whose items & never expands.
    private static bool IsQuoted(CommandElementAst word) => word switch
    {
        StringConstantExpressionAst constant => constant.StringConstantType != StringConstantType.BareWord,
        ExpandableStringExpressionAst expandable => expandable.StringConstantType != StringConstantType.BareWord,
        ArrayLiteralAst => true,
        _ => false,
    };

    /// <summary>
    /// The words typed for the program, in order: what follows the program that none of the cmdlet's
    /// own parameters took, and everything after "--". Null when they cannot be told (a splat, a
    /// -name:value word, which PowerShell hands over in two pieces).
    /// </summary>
    private static IReadOnlyList<CommandElementAst>? ProgramWords(CommandAst command, CommandInfo cmdlet)
    {
        CommandElementAst[] elements = command.CommandElements.Skip(1).ToArray();
        var words = new List<CommandElementAst>();
        bool programSeen = false;
        for (int i = 0; i < elements.Length; i++)
        {
            if (elements[i] is VariableExpressionAst { Splatted: true }) return null;
            if (elements[i] is not CommandParameterAst parameter)
            {
                if (programSeen) words.Add(elements[i]);
                programSeen = true;
                continue;
            }
            if (parameter.Argument is not null) return null;
            if (parameter.ParameterName == "-")
            {
                words.AddRange(elements.Skip(i + 1));
                break;
            }
            (ParameterMetadata? match, _) = Resolve(cmdlet, parameter.ParameterName);
            if (match is null)
            {
                words.Add(parameter); // an option of the program's: -la
                continue;
            }
            if (match.ParameterType == typeof(SwitchParameter)) continue;
            if (++i < elements.Length && match.Name == "FilePath") programSeen = true;
        }
        return words;
    }

    /// <summary>The command as the user typed it, when PowerShell knows its text (not for a call through the API).</summary>
    internal static CommandAst? Parse(InvocationInfo invocation)
    {
        string statement = invocation.Statement;
        if (string.IsNullOrEmpty(statement)) return null;
        if (Volatile.Read(ref _lastParsed) is { } last && last.Text == statement && last.Name == invocation.InvocationName) return last.Command;
        ScriptBlockAst ast = Parser.ParseInput(statement, out _, out ParseError[] errors);
        // This cmdlet's command, not another of the pipeline (Get-Content x | Invoke-Sandboxed sort).
        CommandAst[] named = errors.Length == 0
            ? ast.FindAll(a => a is CommandAst c && string.Equals(c.GetCommandName(), invocation.InvocationName, StringComparison.OrdinalIgnoreCase), searchNestedScriptBlocks: false).Cast<CommandAst>().ToArray()
            : [];
        CommandAst? command = named.Length == 1 ? named[0] : null;
        Volatile.Write(ref _lastParsed, new ParsedStatement(statement, invocation.InvocationName, command));
        return command;
    }

    /// <summary>
    /// A LandlockPS parameter given after the program by a shortened name ("-c" for -ClearEnvironment,
    /// "-k" for -KeepCapabilities): PowerShell binds it to LandlockPS, though after a program it is
    /// far more likely one of the program's own options. Returns the word as typed, the parameter it
    /// matched and the program as typed, or null. Full names and aliases are taken as meant.
    /// </summary>
    internal static (string Typed, string Parameter, string Program)? ShortenedAfterProgram(CommandAst command, CommandInfo cmdlet)
    {
        CommandElementAst[] elements = command.CommandElements.Skip(1).ToArray();
        // The program is the first positional word, or -FilePath's value.
        string? program = null;
        for (int i = 0; i < elements.Length; i++)
        {
            if (elements[i] is not CommandParameterAst parameter)
            {
                // A splatted variable hides what it holds: nothing after it can be told apart.
                if (elements[i] is VariableExpressionAst { Splatted: true }) return null;
                program ??= elements[i].Extent.Text;
                continue;
            }
            if (parameter.ParameterName == "-") return null; // "--": everything after it is the program's
            (ParameterMetadata? match, bool exact) = Resolve(cmdlet, parameter.ParameterName);
            if (match is null) continue;
            if (program is not null && !exact) return (parameter.Extent.Text, match.Name, program);
            // A parameter that takes a value consumes the next word unless it has one attached (-Name:value).
            CommandElementAst? value = parameter.Argument ?? (match.ParameterType != typeof(SwitchParameter) && i + 1 < elements.Length ? elements[++i] : null);
            if (match.Name == "FilePath") program ??= value?.Extent.Text;
        }
        return null;
    }

    private static IEnumerable<object?> Flatten(object? item)
    {
        object? value = item is PSObject wrapped ? wrapped.BaseObject : item;
        if (value is null) return [];
        if (value is string || LanguagePrimitives.GetEnumerable(value) is not { } items) return [item];
        return items.Cast<object?>().Where(i => i is not null);
    }

    // "-name:" for each -name:value written as one word, in order: PowerShell hands those over in two pieces.
    private static IEnumerable<string> AttachedParameterTexts(CommandAst command) =>
        command.CommandElements.OfType<CommandParameterAst>()
            .Where(p => p.Argument is not null && p.Argument.Extent.StartOffset == p.Extent.StartOffset + p.ParameterName.Length + 2)
            .Select(p => p.Extent.Text[..(p.ParameterName.Length + 2)]);

    // As PowerShell's binder matches a name: a full name or alias, else a unique prefix, the
    // cmdlet's own parameters before the common ones.
    private static (ParameterMetadata? Match, bool Exact) Resolve(CommandInfo cmdlet, string name)
    {
        IEnumerable<ParameterMetadata> all = cmdlet.Parameters.Values;
        ParameterMetadata? exact = all.FirstOrDefault(p =>
            p.Name.Equals(name, StringComparison.OrdinalIgnoreCase) || p.Aliases.Contains(name, StringComparer.OrdinalIgnoreCase));
        if (exact is not null) return (exact, true);
        ParameterMetadata[] prefixed = all.Where(p =>
            p.Name.StartsWith(name, StringComparison.OrdinalIgnoreCase) || p.Aliases.Any(a => a.StartsWith(name, StringComparison.OrdinalIgnoreCase))).ToArray();
        ParameterMetadata[] own = prefixed.Where(p => !IsCommon(p.Name)).ToArray();
        ParameterMetadata[] candidates = own.Length > 0 ? own : prefixed;
        return (candidates.Length == 1 ? candidates[0] : null, false);
    }

    private static bool IsCommon(string name) =>
        Cmdlet.CommonParameters.Contains(name) || Cmdlet.OptionalCommonParameters.Contains(name);
}
