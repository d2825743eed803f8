using System.Management.Automation;

namespace LandlockPS;

/// <summary>
/// The records of a sandbox's display streams (progress, information, errors), with their text
/// made safe for the caller's terminal (<see cref="HostText"/>). Output objects are data and are
/// never touched; an error keeps its exception as it came and only shows a neutralised message.
/// </summary>
internal static class HostRecords
{
    public static ProgressRecord Neutralize(ProgressRecord record) => new(record.ActivityId, HostText.Neutralize(record.Activity), HostText.Neutralize(record.StatusDescription))
    {
        CurrentOperation = record.CurrentOperation is { } operation ? HostText.Neutralize(operation) : null,
        ParentActivityId = record.ParentActivityId,
        PercentComplete = record.PercentComplete,
        SecondsRemaining = record.SecondsRemaining,
        RecordType = record.RecordType,
    };

    public static InformationRecord Neutralize(InformationRecord record)
    {
        object? data = record.MessageData switch
        {
            HostInformationMessage host => Neutralized(host.Message, host.ForegroundColor, host.BackgroundColor, host.NoNewLine),
            // Write-Host's message as it arrives from another pwsh: its properties, not the type.
            PSObject deserialized when deserialized.TypeNames.Contains("Deserialized.System.Management.Automation.HostInformationMessage") =>
                Neutralized(deserialized.Properties["Message"]?.Value as string, Colour(deserialized, "ForegroundColor"),
                    Colour(deserialized, "BackgroundColor"), LanguagePrimitives.IsTrue(deserialized.Properties["NoNewLine"]?.Value)),
            string text => HostText.Neutralize(text),
            PSObject { BaseObject: string text } => HostText.Neutralize(text),
            _ => null,
        };
        if (data is null) return record;
        var safe = new InformationRecord(data, record.Source)
        {
            TimeGenerated = record.TimeGenerated,
            User = record.User,
            Computer = record.Computer,
            ProcessId = record.ProcessId,
            NativeThreadId = record.NativeThreadId,
            ManagedThreadId = record.ManagedThreadId,
        };
        safe.Tags.AddRange(record.Tags);
        return safe;
    }

    private static HostInformationMessage Neutralized(string? message, System.ConsoleColor? foreground, System.ConsoleColor? background, bool? noNewLine) => new()
    {
        Message = HostText.Neutralize(message ?? string.Empty),
        ForegroundColor = foreground,
        BackgroundColor = background,
        NoNewLine = noNewLine,
    };

    private static System.ConsoleColor? Colour(PSObject message, string property) =>
        message.Properties[property]?.Value is { } value && LanguagePrimitives.TryConvertTo(value, out System.ConsoleColor colour) ? colour : null;

    public static ErrorRecord Neutralize(ErrorRecord record)
    {
        string message = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception?.Message ?? string.Empty;
        string safe = HostText.Neutralize(message);
        string? action = record.ErrorDetails?.RecommendedAction;
        if (ReferenceEquals(safe, message) && (action is null || ReferenceEquals(HostText.Neutralize(action), action))) return record;
        record.ErrorDetails = new ErrorDetails(safe) { RecommendedAction = action is null ? null : HostText.Neutralize(action) };
        return record;
    }
}
