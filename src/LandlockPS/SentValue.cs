using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace LandlockPS;

/// <summary>
/// Values a sandbox sent, taken as an honest PowerShell sends them and never converted. A
/// conversion looks the type names the sandbox chose up in the caller's type table: the script
/// methods and converters found there would run in the caller, on the sandbox's data.
/// </summary>
internal static class SentValue
{
    /// <summary>A string as sent, or null for anything else.</summary>
    public static string? Text(object? value) => Unwrapped(value) as string;

    /// <summary>
    /// A console colour, which PowerShell sends as its number (a host call's argument) or its name (a
    /// property of a record); null for anything else.
    /// </summary>
    public static ConsoleColor? Colour(object? value) => Unwrapped(value) switch
    {
        int number when Enum.IsDefined((ConsoleColor)number) => (ConsoleColor)number,
        ConsoleColor colour when Enum.IsDefined(colour) => colour,
        string name when Enum.TryParse(name, ignoreCase: true, out ConsoleColor colour) && Enum.IsDefined(colour) => colour,
        _ => null,
    };

    /// <summary>A 32-bit number as sent (an enum's value is sent as its number), or null for anything else.</summary>
    public static int? Number(object? value) => Unwrapped(value) is int number ? number : null;

    /// <summary>True only for a boolean sent as true.</summary>
    public static bool IsTrue(object? value) => Unwrapped(value) is true;

    /// <summary>
    /// The value of the property <paramref name="name"/> as sent (a deserialised object's property, or
    /// a note), or null when none was sent. A property the sandbox left out is otherwise looked for in
    /// the caller's type data for the type names it chose, whose script or code property would run in
    /// the caller (and whose notes would stand in for what was not sent).
    /// </summary>
    public static object? Property(PSObject sent, string name) =>
        WithoutTypeData(() => sent.Properties.Match(name, PSMemberTypes.Property | PSMemberTypes.NoteProperty) is [{ } property] ? property.Value : null);

    /// <summary>The text <paramref name="value"/> came with (a deserialised object's, or its value's), read with no type data.</summary>
    public static string Shown(object? value) => WithoutTypeData(() => value?.ToString() ?? string.Empty);

    /// <summary>
    /// Runs <paramref name="read"/> with no runspace on the thread: PowerShell then reads what the
    /// sandbox sent with no type data, as its client does (on threads of its own, with the session's
    /// type table). In the caller's runspace, the caller's type data for the type names the sandbox
    /// chose would run on it (a ToString script method, a TargetTypeForDeserialization converting through one).
    /// </summary>
    public static T WithoutTypeData<T>(Func<T> read)
    {
        Runspace? caller = Runspace.DefaultRunspace;
        Runspace.DefaultRunspace = null;
        try
        {
            return read();
        }
        finally
        {
            Runspace.DefaultRunspace = caller;
        }
    }

    private static object? Unwrapped(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
