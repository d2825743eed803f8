using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;

namespace LandlockPS;

/// <summary>
/// Accepts access events however they were kept: the objects Trace-LandlockAccess emits, or any object
/// with their property names — rows of Import-Csv (every value text), ConvertFrom-Json (enums as
/// numbers), Import-Clixml. Text is read as what it says: "False" is false (PowerShell would take any
/// non-empty string as true), an empty cell is no value, rights are names or numbers.
/// </summary>
public sealed class AccessEventTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : inputData;
        if (value is LandlockAccessEvent or null) return value;
        if (value is IDictionary table) return FromProperties(Bag(table));
        if (value is IEnumerable items and not string && value is not PSObject)
        {
            return items.Cast<object?>().Select(item => Transform(engineIntrinsics, item)).ToArray();
        }
        return FromProperties(PSObject.AsPSObject(inputData));
    }

    private static LandlockAccessEvent FromProperties(PSObject bag)
    {
        if (bag.Properties[nameof(LandlockAccessEvent.Path)] is null && bag.Properties[nameof(LandlockAccessEvent.Port)] is null)
        {
            throw new ArgumentTransformationMetadataException(
                "The input is not an access event: it has neither a Path nor a Port property. Pipe the output of Trace-LandlockAccess, or objects with its properties (Import-Csv of its Export-Csv).");
        }
        try
        {
            return new LandlockAccessEvent
            {
                ProcessId = Number<int>(bag, nameof(LandlockAccessEvent.ProcessId)) ?? 0,
                Program = Text(bag, nameof(LandlockAccessEvent.Program)) ?? string.Empty,
                Operation = Text(bag, nameof(LandlockAccessEvent.Operation)) ?? string.Empty,
                Path = Text(bag, nameof(LandlockAccessEvent.Path)),
                LinkTarget = Text(bag, nameof(LandlockAccessEvent.LinkTarget)),
                Access = Rights<LandlockAccessFs>(bag, nameof(LandlockAccessEvent.Access), LandlockAccessFs.ReadWriteExecute),
                NetAccess = Rights<LandlockAccessNet>(bag, nameof(LandlockAccessEvent.NetAccess), AllNet),
                Port = Number<int>(bag, nameof(LandlockAccessEvent.Port)),
                Count = Number<long>(bag, nameof(LandlockAccessEvent.Count)) ?? 1,
                Allowed = Flag(bag, nameof(LandlockAccessEvent.Allowed)),
                Reason = Text(bag, nameof(LandlockAccessEvent.Reason)),
                Suggestion = Text(bag, nameof(LandlockAccessEvent.Suggestion)),
                DeniedAccess = Rights<LandlockAccessFs>(bag, nameof(LandlockAccessEvent.DeniedAccess), LandlockAccessFs.ReadWriteExecute),
                Implicit = Flag(bag, nameof(LandlockAccessEvent.Implicit)) ?? false,
                Startup = Flag(bag, nameof(LandlockAccessEvent.Startup)) ?? false,
            };
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or PSInvalidCastException)
        {
            throw new ArgumentTransformationMetadataException($"The access event has a value of the wrong kind: {e.Message}", e);
        }
    }

    // @{ Path = ...; Access = ... } reads as the object it describes.
    private static PSObject Bag(IDictionary table)
    {
        var bag = new PSObject();
        foreach (DictionaryEntry entry in table) bag.Properties.Add(new PSNoteProperty(Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!, entry.Value));
        return bag;
    }

    private static readonly LandlockAccessNet AllNet = Enum.GetValues<LandlockAccessNet>().Aggregate((a, b) => a | b);

    private static object? Raw(PSObject bag, string name)
    {
        object? value = bag.Properties[name]?.Value;
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        return value is string { Length: 0 } ? null : value;
    }

    private static string? Text(PSObject bag, string name) => Raw(bag, name) is { } value ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

    private static T? Number<T>(PSObject bag, string name) where T : struct =>
        Raw(bag, name) is { } value ? (T)LanguagePrimitives.ConvertTo(value, typeof(T), CultureInfo.InvariantCulture) : null;

    private static bool? Flag(PSObject bag, string name) => Raw(bag, name) switch
    {
        null => null,
        bool b => b,
        string s => bool.Parse(s),
        var other => (long)LanguagePrimitives.ConvertTo(other, typeof(long), CultureInfo.InvariantCulture) != 0,
    };

    // Names ("ReadFile, Execute", groups too) or a number; bits no right stands for are refused, not dropped.
    private static T Rights<T>(PSObject bag, string name, T known) where T : struct, Enum
    {
        object? value = Raw(bag, name);
        if (value is null) return default;
        T rights = value is string s ? Enum.Parse<T>(s, ignoreCase: true) : (T)Enum.ToObject(typeof(T), LanguagePrimitives.ConvertTo<ulong>(value));
        ulong unknown = Convert.ToUInt64(rights) & ~Convert.ToUInt64(known);
        return unknown == 0 ? rights : throw new ArgumentException($"{name} holds bits no Landlock right stands for (0x{unknown:x}).");
    }
}
