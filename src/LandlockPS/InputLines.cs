using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// The lines <c>&amp;</c> writes to a native command's standard input for objects that are not text:
/// what Out-String -Stream makes of them (a table, a list), as PowerShell's own input writer does.
/// Strings go as they are until the first such object; from then on through the same formatter,
/// so lines keep the order the objects came in.
/// </summary>
internal sealed class InputLines : IDisposable
{
    private SteppablePipeline? _formatter;

    /// <summary>The lines for one input item (not bytes).</summary>
    public IEnumerable<string> Of(object item)
    {
        if (_formatter is null)
        {
            object value = PSObject.AsPSObject(item).BaseObject;
            if (value is string text) return [text];
            // Whole numbers format as themselves (1..100000 | wc -l): the formatter costs each several µs.
            if (value is int or long or short or sbyte or uint or ulong or ushort) return [((IFormattable)value).ToString(null, CultureInfo.CurrentCulture)];
        }
        if (_formatter is null)
        {
            // Module-qualified: a function of the user's named Out-String must not stand in for it.
            _formatter = ScriptBlock.Create("Microsoft.PowerShell.Utility\\Out-String -Stream").GetSteppablePipeline();
            _formatter.Begin(true);
        }
        return Lines(_formatter.Process(item));
    }

    /// <summary>What the formatter held back (a table's last rows), once the input ends.</summary>
    public IEnumerable<string> End()
    {
        if (_formatter is null) return [];
        Array rest = _formatter.End();
        Dispose();
        return Lines(rest);
    }

    public void Dispose()
    {
        _formatter?.Dispose();
        _formatter = null;
    }

    private static IEnumerable<string> Lines(Array formatted)
    {
        foreach (object? line in formatted) yield return LanguagePrimitives.ConvertTo<string>(line) ?? string.Empty;
    }
}
