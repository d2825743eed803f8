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
                Neutralized(SentValue.Text(SentValue.Property(deserialized, "Message")), Colour(deserialized, "ForegroundColor"),
                    Colour(deserialized, "BackgroundColor"), SentValue.IsTrue(SentValue.Property(deserialized, "NoNewLine"))),
            string text => HostText.Neutralize(text),
            PSObject { BaseObject: string text } => HostText.Neutralize(text),
            // Any other object is shown as its text, which a sandbox chose (a deserialized object's text came with it).
            { } other when Changed(SentValue.Shown(other)) is { } safeText => safeText,
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

    private static System.ConsoleColor? Colour(PSObject message, string property) => SentValue.Colour(SentValue.Property(message, property));

    public static ErrorRecord Neutralize(ErrorRecord record)
    {
        // The error id cannot be changed on a record: one that needs it is copied under a safe id.
        if (Changed(record.FullyQualifiedErrorId) is { } safeId) record = Renamed(record, safeId);
        ErrorCategoryInfo category = record.CategoryInfo;
        if (Changed(category.Activity) is { } activity) category.Activity = activity;
        if (Changed(category.Reason) is { } reason) category.Reason = reason;
        if (Changed(SentTargetName(record)) is { } targetName) category.TargetName = targetName;
        if (Changed(category.TargetType) is { } targetType) category.TargetType = targetType;
        string message = record.ErrorDetails?.Message is { Length: > 0 } details ? details : record.Exception?.Message ?? string.Empty;
        string safe = HostText.Neutralize(message);
        string? action = record.ErrorDetails?.RecommendedAction;
        if (ReferenceEquals(safe, message) && (action is null || ReferenceEquals(HostText.Neutralize(action), action))) return record;
        record.ErrorDetails = new ErrorDetails(safe) { RecommendedAction = action is null ? null : HostText.Neutralize(action) };
        return record;
    }

    private static ErrorRecord Renamed(ErrorRecord record, string errorId)
    {
        ErrorCategoryInfo category = record.CategoryInfo;
        var renamed = new ErrorRecord(record.Exception, errorId, category.Category, record.TargetObject) { ErrorDetails = record.ErrorDetails };
        renamed.CategoryInfo.Activity = category.Activity;
        renamed.CategoryInfo.Reason = category.Reason;
        renamed.CategoryInfo.TargetName = SentTargetName(record);
        renamed.CategoryInfo.TargetType = category.TargetType;
        return renamed;
    }

    // The target name that came with the record or, when none came, the text its target came with.
    // ErrorCategoryInfo.TargetName then asks the target for its text: in the caller's runspace, through
    // the caller's type data for the type names the sandbox chose.
    private static string SentTargetName(ErrorRecord record) => SentValue.WithoutTypeData(() => record.CategoryInfo.TargetName);

    // The text made safe, or null when it was safe already.
    private static string? Changed(string? text) =>
        text is not null && HostText.Neutralize(text) is var safe && !ReferenceEquals(safe, text) ? safe : null;
}
