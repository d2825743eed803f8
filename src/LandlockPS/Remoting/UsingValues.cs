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
        Ast root = block.Ast;
        string text = root.Extent.Text;
        int origin = root.Extent.StartOffset;
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
            text = text[..start] + $"$global:{Variable}[{i}]" + text[(start + usingAst.Extent.Text.Length)..];
        }
        return (Unwrap(root, text), values);
    }

    // A using expression is a variable, optionally with member and index access: evaluate that
    // expression, without the "using:" scope, where the caller stands.
    private static object? Evaluate(UsingExpressionAst usingAst, SessionState callerScope)
    {
        string expression = usingAst.SubExpression.Extent.Text.Replace("$using:", "$", StringComparison.OrdinalIgnoreCase)
            .Replace("${using:", "${", StringComparison.OrdinalIgnoreCase);
        var result = callerScope.InvokeCommand.InvokeScript(callerScope, ScriptBlock.Create(expression), []);
        return result.Count switch
        {
            0 => null,
            1 => result[0],
            _ => result.ToArray(),
        };
    }

    // A script block literal's extent includes its braces; the child wants only what is inside.
    private static string Unwrap(Ast root, string text) =>
        root.Parent is ScriptBlockExpressionAst && text.StartsWith('{') && text.EndsWith('}') ? text[1..^1] : text;
}
