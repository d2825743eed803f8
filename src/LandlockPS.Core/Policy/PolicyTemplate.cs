using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace LandlockPS.Core.Policy;

/// <summary>
/// A rule path with variable references: "${name}" is replaced by each value of the variable (every
/// combination when a path names several), "$$" stands for one "$", any other "$" is itself.
/// </summary>
internal sealed class PolicyTemplate
{
    private readonly List<(string Text, bool IsVariable)> _parts;

    private PolicyTemplate(string source, List<(string Text, bool IsVariable)> parts)
    {
        Source = source;
        _parts = parts;
        Key = string.Concat(parts.Select(p => p.IsVariable ? $"${{{p.Text}}}" : Escape(p.Text)));
    }

    /// <summary>The path as written in the file.</summary>
    public string Source { get; }

    /// <summary>One spelling per meaning ("$$a" and "$a" are the same path), so equal templates merge as upstream's do.</summary>
    public string Key { get; }

    public IEnumerable<string> Variables => _parts.Where(p => p.IsVariable).Select(p => p.Text);

    /// <summary>Parses <paramref name="text"/>; the error callback gets what is wrong.</summary>
    public static PolicyTemplate Parse(string text, Func<string, Exception> error)
    {
        var parts = new List<(string, bool)>();
        var literal = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '$' || i + 1 == text.Length)
            {
                literal.Append(text[i]);
            }
            else if (text[i + 1] == '$')
            {
                literal.Append('$');
                i++;
            }
            else if (text[i + 1] == '{')
            {
                int end = text.IndexOf('}', i + 2);
                if (end < 0) throw error($"the variable reference at position {i} is never closed with '}}'. Write $$ for a literal '$'.");
                string name = text[(i + 2)..end];
                if (VariableName.Problem(name) is { } problem) throw error($"the variable reference at position {i}: {problem}");
                if (literal.Length > 0) parts.Add((literal.ToString(), false));
                literal.Clear();
                parts.Add((name, true));
                i = end;
            }
            else
            {
                literal.Append('$');
            }
        }
        if (literal.Length > 0) parts.Add((literal.ToString(), false));
        return new PolicyTemplate(text, parts);
    }

    /// <summary>A template for a plain path: every "$" escaped, so it reads back as itself.</summary>
    public static string Escape(string path) => path.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>
    /// Every path this template stands for, in order. A variable with no value yields no path.
    /// Stops with the callback's error past <paramref name="budget"/> paths.
    /// </summary>
    public IReadOnlyList<string> Expand(IReadOnlyDictionary<string, SortedSet<string>> variables, int budget, Func<string, Exception> error)
    {
        var results = new List<string> { string.Empty };
        foreach ((string text, bool isVariable) in _parts)
        {
            IEnumerable<string> choices = isVariable ? variables[text] : [text];
            var next = new List<string>();
            foreach (string prefix in results)
            {
                foreach (string choice in choices)
                {
                    if (next.Count == budget) throw error($"its variables expand to more than {budget} paths in all. Use fewer values or fewer variables per path.");
                    // Checked as it grows: a short file can name a long value thousands of times.
                    if (prefix.Length + choice.Length > PolicyLimits.MaxPathLength)
                    {
                        throw error($"it expands to a path longer than {PolicyLimits.MaxPathLength} characters, which no path can be.");
                    }
                    next.Add(prefix + choice);
                }
            }
            results = next;
        }
        return results;
    }
}

/// <summary>landlockconfig's variable names: an ASCII letter, then ASCII letters, digits or '_'.</summary>
internal static class VariableName
{
    public static string? Problem(string name) =>
        name.Length == 0 ? "a variable name cannot be empty."
        : !char.IsAsciiLetter(name[0]) ? $"the variable name '{name}' must start with an ASCII letter."
        : name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '_') ? $"the variable name '{name}' may hold only ASCII letters, digits and '_'."
        : null;
}
