using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using LandlockPS.Core.Landlock;

namespace LandlockPS;

/// <summary>
/// -Port takes numbers as PowerShell binds them (443, 8000..8099), and text as a policy, a CSV column
/// or a prompt gives it: "443,8443", "8000-8099", "80 443 8000-8099". Left to PowerShell, "443,8443"
/// would be port 4438443 (a thousands separator), a range would be refused, and empty text port 0.
/// </summary>
public sealed class PortTransformationAttribute : ArgumentTransformationAttribute
{
    private static readonly char[] Separators = [',', ' ', '\t'];

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = Unwrap(inputData);
        if (value is string text) return Parse(text).ToArray();
        if (value is not IList items) return inputData;
        var ports = new List<object?>(items.Count);
        foreach (object? item in items)
        {
            if (Unwrap(item) is string part) ports.AddRange(Parse(part).ConvertAll(port => (object?)port));
            else ports.Add(item);
        }
        return ports.ToArray();
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

    private static List<int> Parse(string text)
    {
        var ports = new List<int>();
        foreach (string token in text.Split(Separators, System.StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = token.IndexOf('-', 1);
            if (dash < 0)
            {
                ports.Add(Number(token, text));
                continue;
            }
            int first = Number(token[..dash], text), last = Number(token[(dash + 1)..], text);
            if (first > last) throw Refused(text, token == text ? ", a range that ends before it starts" : $": the range {token} ends before it starts");
            for (int port = first; port <= last; port++) ports.Add(port);
        }
        if (ports.Count == 0) throw Refused(text, ", which names no port");
        return ports;
    }

    private static int Number(string token, string text) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= LandlockNetRule.MaxPort
            ? port
            : throw Refused(text, token == text ? ", which is not a port" : $": '{token}' is not a port");

    private static ArgumentTransformationMetadataException Refused(string text, string why) =>
        new($"-Port got '{text}'{why}. It takes ports from 0 to {LandlockNetRule.MaxPort}: numbers, or text that lists them (443,8443) or gives a range (8000-8099).");
}
