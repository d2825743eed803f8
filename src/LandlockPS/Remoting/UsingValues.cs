using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace LandlockPS.Remoting;

/// <summary>
/// $using: for a block sent to a child pwsh: each using expression is evaluated here, in the
/// caller's scope, and replaced in the block's text by an element of a global array set in the
/// child before the block runs.
/// </summary>
internal static class UsingValues
{
    internal const string Variable = "__LandlockUsing";

    /// <summary>The block's text with its $using: expressions replaced, and their values in order.</summary>
    internal static (string Script, object?[] Values) Rewrite(ScriptBlock block, SessionState callerScope)
    {
        // ${function:f} gives the function's definition: what runs is its body.
        Ast root = block.Ast is FunctionDefinitionAst function ? function.Body : block.Ast;
        string text = root.Extent.Text;
        int origin = root.Extent.StartOffset;
        // In nested blocks too, as Invoke-Command does: { Where-Object { $_ -eq $using:x } } means the caller's x.
        UsingExpressionAst[] usings = root.FindAll(a => a is UsingExpressionAst, searchNestedScriptBlocks: true)
            .Cast<UsingExpressionAst>()
            .OrderBy(u => u.Extent.StartOffset)
            .ToArray();
        var values = new object?[usings.Length];
        for (int i = usings.Length - 1; i >= 0; i--)
        {
            UsingExpressionAst usingAst = usings[i];
            values[i] = Evaluate(usingAst, callerScope);
            int start = usingAst.Extent.StartOffset - origin;
            // A subexpression works in expressions and inside expandable strings alike; splatting
            // (@using:p) needs a variable of its own.
            string replacement = usingAst.SubExpression is VariableExpressionAst { Splatted: true }
                ? $"@{Variable}_{i}"
                : $"$($global:{Variable}[{i}])";
            text = text[..start] + replacement + text[(start + usingAst.Extent.Text.Length)..];
        }
        string script = Unwrap(root, text);
        if (block.Ast is FunctionDefinitionAst definition)
        {
            // A filter's body runs once per input object; a function's header parameters are not
            // part of its body.
            if (definition.IsFilter) script = $"process {{\n{script}\n}}";
            if (definition.Parameters is { Count: > 0 } parameters)
            {
                script = $"param({string.Join(", ", parameters.Select(p => p.Extent.Text))})\n{script}";
            }
        }
        return (script, values);
    }

    // A using expression is a variable, optionally with member and index access: evaluate that
    // expression where the caller stands, with the variable's own "using:" scope removed (and only
    // there: a string in an index stays as written), wrapped twice in a one-element array so that
    // collections come back whole: InvokeScript unrolls its output once more than a pipeline does
    // (wrapped once, $using:list gave the list's first item).
    private static object? Evaluate(UsingExpressionAst usingAst, SessionState callerScope)
    {
        ExpressionAst expression = usingAst.SubExpression;
        VariableExpressionAst variable = UsingExpressionAst.ExtractUsingVariable(usingAst);
        string text = expression.Extent.Text;
        int at = variable.Extent.StartOffset - expression.Extent.StartOffset;
        string qualified = variable.VariablePath.UserPath;
        string name = qualified[(qualified.IndexOf(':') + 1)..];
        string bare = "$" + (System.Text.RegularExpressions.Regex.IsMatch(name, "^\\w+$") ? name : "{" + name.Replace("}", "`}") + "}");
        string rewritten = text[..at] + bare + text[(at + variable.Extent.Text.Length)..];
        var result = callerScope.InvokeCommand.InvokeScript(callerScope, ScriptBlock.Create($",,({rewritten})"), []);
        return result.Count == 0 ? null : result[0];
    }

    // A script block literal or a function body includes its braces; the child wants only what is inside.
    private static string Unwrap(Ast root, string text) =>
        root.Parent is ScriptBlockExpressionAst or FunctionDefinitionAst && text.StartsWith('{') && text.EndsWith('}') ? text[1..^1] : text;
}
