using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using LandlockPS.Core.Landlock;

namespace LandlockPS.Core.Policy;

/// <summary>
/// Reads the meaning of one parsed policy, following landlockconfig's parser: unknown keys and rights
/// are errors, every list must be non-empty, rights a rule grants are handled even if no ruleset entry
/// says so, "abi." groups need the top-level abi, and a rule whose rights resolve to nothing (abi.all
/// of network rights under abi 2) is left out. Variables are not looked up here: a composition may
/// define them in another file (see <see cref="PolicyImport.ToRuleset"/>).
/// </summary>
internal sealed class PolicyInterpreter
{
    private readonly string _file;
    private readonly Keys _keys;

    private PolicyInterpreter(string file, PolicyFormat format)
    {
        _file = file;
        _keys = format == PolicyFormat.Json ? Keys.Json : Keys.Toml;
    }

    public static LandlockPolicy Interpret(PolicyNode root, string file, PolicyFormat format) =>
        new PolicyInterpreter(file, format).Top(root);

    private LandlockPolicy Top(PolicyNode root)
    {
        Dictionary<string, PolicyNode> members = Members(root, "The document", ["abi", "variable", "ruleset", _keys.PathBeneath, _keys.NetPort], required: []);
        var policy = new LandlockPolicy([_file]);
        if (members.TryGetValue("abi", out PolicyNode? abi)) policy.Abi = Abi(abi);
        if (!members.Keys.Any(k => k != "abi"))
        {
            throw Invalid("PolicyEmpty", root,
                $"The policy has no variable, ruleset, {_keys.PathBeneath} or {_keys.NetPort} entry, so it describes no sandbox. Add at least one.");
        }
        if (members.TryGetValue("variable", out PolicyNode? variables)) ReadVariables(variables, policy);
        if (members.TryGetValue("ruleset", out PolicyNode? rulesets)) ReadRulesets(rulesets, policy);
        if (members.TryGetValue(_keys.PathBeneath, out PolicyNode? paths)) ReadPathRules(paths, policy);
        if (members.TryGetValue(_keys.NetPort, out PolicyNode? ports)) ReadNetRules(ports, policy);
        return policy;
    }

    private void ReadVariables(PolicyNode list, LandlockPolicy policy)
    {
        foreach ((PolicyNode entry, string where) in Entries(list, "variable"))
        {
            Dictionary<string, PolicyNode> members = Members(entry, where, ["name", "literal"], required: ["name"]);
            string name = String(members["name"], $"{where}.name");
            if (VariableName.Problem(name) is { } problem) throw Invalid("PolicyInvalidVariable", members["name"], $"{where}.name: {problem}");
            // A variable without literal is defined and empty: a path using it names nothing, unless
            // another composed file gives it values.
            IEnumerable<string> values = members.TryGetValue("literal", out PolicyNode? literal)
                ? Entries(literal, $"{where}.literal").Select(e => String(e.Item, e.Where)).ToArray()
                : [];
            policy.AddVariable(name, values);
        }
    }

    private void ReadRulesets(PolicyNode list, LandlockPolicy policy)
    {
        foreach ((PolicyNode entry, string where) in Entries(list, "ruleset"))
        {
            Dictionary<string, PolicyNode> members = Members(entry, where, [_keys.HandledAccessFs, _keys.HandledAccessNet, "scoped"], required: []);
            if (members.Count == 0)
            {
                throw Invalid("PolicyInvalid", entry, $"{where} is empty. Give {_keys.HandledAccessFs}, {_keys.HandledAccessNet} or scoped.");
            }
            if (members.TryGetValue(_keys.HandledAccessFs, out PolicyNode? fs)) policy.HandledAccessFs |= Rights<LandlockAccessFs>(fs, $"{where}.{_keys.HandledAccessFs}", policy.Abi);
            if (members.TryGetValue(_keys.HandledAccessNet, out PolicyNode? net)) policy.HandledAccessNet |= Rights<LandlockAccessNet>(net, $"{where}.{_keys.HandledAccessNet}", policy.Abi);
            if (members.TryGetValue("scoped", out PolicyNode? scoped)) policy.Scope |= Rights<LandlockScope>(scoped, $"{where}.scoped", policy.Abi);
        }
    }

    private void ReadPathRules(PolicyNode list, LandlockPolicy policy)
    {
        foreach ((PolicyNode entry, string where) in Entries(list, _keys.PathBeneath))
        {
            Dictionary<string, PolicyNode> members = Members(entry, where, [_keys.AllowedAccess, "parent"], required: [_keys.AllowedAccess, "parent"]);
            LandlockAccessFs access = Rights<LandlockAccessFs>(members[_keys.AllowedAccess], $"{where}.{_keys.AllowedAccess}", policy.Abi);
            var templates = new List<(PolicyTemplate, PolicyOrigin)>();
            foreach ((PolicyNode item, string itemWhere) in Entries(members["parent"], $"{where}.parent"))
            {
                string text = String(item, itemWhere);
                if (text.Contains('\0')) throw Invalid("PolicyInvalidPath", item, $"{itemWhere} holds a NUL character, which no path can.");
                templates.Add((PolicyTemplate.Parse(text, reason => Invalid("PolicyInvalidPath", item, $"{itemWhere} '{text}': {reason}")), Origin(item)));
            }
            if (GrantsNothing(access, members[_keys.AllowedAccess], where, policy)) continue;
            policy.HandledAccessFs |= access;
            foreach ((PolicyTemplate template, PolicyOrigin origin) in templates) policy.AddPathRule(template, access, origin);
        }
    }

    private void ReadNetRules(PolicyNode list, LandlockPolicy policy)
    {
        foreach ((PolicyNode entry, string where) in Entries(list, _keys.NetPort))
        {
            Dictionary<string, PolicyNode> members = Members(entry, where, [_keys.AllowedAccess, "port"], required: [_keys.AllowedAccess, "port"]);
            LandlockAccessNet access = Rights<LandlockAccessNet>(members[_keys.AllowedAccess], $"{where}.{_keys.AllowedAccess}", policy.Abi);
            // Any unsigned 64-bit number parses, as upstream's do; a port past 65535 is an error once
            // its rule reaches the ruleset (a rule left out never does).
            (ulong Port, PolicyOrigin Origin)[] ports = Entries(members["port"], $"{where}.port")
                .Select(e => (Port(e.Item, e.Where), Origin(e.Item)))
                .ToArray();
            if (GrantsNothing(access, members[_keys.AllowedAccess], where, policy)) continue;
            policy.HandledAccessNet |= access;
            foreach ((ulong port, PolicyOrigin origin) in ports) policy.AddNetRule(port, access, origin);
        }
    }

    // Groups resolve against the file's abi, and "abi.all" of network rights is nothing before ABI 4:
    // upstream leaves such a rule out rather than refuse the file, so a policy can name abi.all for
    // whichever abi it pins.
    private bool GrantsNothing<T>(T access, PolicyNode list, string where, LandlockPolicy policy) where T : struct, Enum
    {
        if (Convert.ToUInt64(access) != 0) return false;
        policy.Tell(Origin(list), $"{where} grants no right: its {_keys.AllowedAccess} resolves to nothing under abi {policy.Abi}. " +
            "The rule is left out, as landlockconfig does.");
        return true;
    }

    private T Rights<T>(PolicyNode list, string where, int? abi) where T : struct, Enum
    {
        ulong rights = 0;
        foreach ((PolicyNode item, string itemWhere) in Entries(list, where))
        {
            string name = String(item, itemWhere);
            T? value = PolicyAccessNames.Resolve<T>(name, abi, reason => Invalid("PolicyInvalidGroup", item, $"{itemWhere} '{name}': {reason}"))
                ?? throw Invalid("PolicyUnknownAccess", item, $"{itemWhere} '{name}' is not a right this list accepts. Expected {PolicyAccessNames.Expected<T>()}.");
            rights |= Convert.ToUInt64(value.Value);
        }
        return (T)Enum.ToObject(typeof(T), rights);
    }

    private Dictionary<string, PolicyNode> Members(PolicyNode node, string where, string[] allowed, string[] required)
    {
        if (node.Kind != PolicyNodeKind.Table) throw Invalid("PolicyInvalid", node, $"{where} must be a table (object), not {node.Describe()}.");
        var members = new Dictionary<string, PolicyNode>(StringComparer.Ordinal);
        foreach ((string key, PolicyNode value) in node.Members)
        {
            if (!allowed.Contains(key, StringComparer.Ordinal))
            {
                throw Invalid("PolicyUnknownKey", value, $"{where} has the unknown key '{key}'. Expected {string.Join(", ", allowed)}.");
            }
            // JSON null for a key is the key left out, as upstream's parser has it; a required one is then missing.
            if (value.Kind != PolicyNodeKind.Null) members[key] = value;
        }
        if (required.FirstOrDefault(k => !members.ContainsKey(k)) is { } absent)
        {
            throw Invalid("PolicyInvalid", node, $"{where} lacks the required key '{absent}'.");
        }
        return members;
    }

    private IEnumerable<(PolicyNode Item, string Where)> Entries(PolicyNode node, string where)
    {
        if (node.Kind != PolicyNodeKind.Array) throw Invalid("PolicyInvalid", node, $"{where} must be an array, not {node.Describe()}.");
        if (node.Items.Count == 0) throw Invalid("PolicyInvalid", node, $"{where} is an empty array. Give at least one value, or leave the key out.");
        return node.Items.Select((item, i) => (item, $"{where}[{i}]"));
    }

    private string String(PolicyNode node, string where) =>
        node.Kind == PolicyNodeKind.String ? node.Text : throw Invalid("PolicyInvalid", node, $"{where} must be a string, not {node.Describe()}.");

    private BigInteger Integer(PolicyNode node, string where) =>
        node.Kind == PolicyNodeKind.Integer ? node.Integer : throw Invalid("PolicyInvalid", node, $"{where} must be an integer, not {node.Describe()}.");

    private int Abi(PolicyNode node)
    {
        BigInteger abi = Integer(node, "abi");
        return abi >= 1 && abi <= int.MaxValue ? (int)abi : throw Invalid("PolicyInvalid", node, $"abi is {abi}, out of range: expected 1 to {int.MaxValue}.");
    }

    private ulong Port(PolicyNode node, string where)
    {
        BigInteger port = Integer(node, where);
        return port >= 0 && port <= ulong.MaxValue ? (ulong)port
            : throw Invalid("PolicyInvalidPort", node, $"{where} is {port}: a port is a number from 0 to {LandlockNetRule.MaxPort}.");
    }

    private PolicyOrigin Origin(PolicyNode node) => new(_file, node.Location);

    private PolicyException Invalid(string errorId, PolicyNode node, string message) =>
        new(errorId, Origin(node), message);

    private sealed record Keys(string PathBeneath, string NetPort, string HandledAccessFs, string HandledAccessNet, string AllowedAccess)
    {
        public static readonly Keys Json = new("pathBeneath", "netPort", "handledAccessFs", "handledAccessNet", "allowedAccess");
        public static readonly Keys Toml = new("path_beneath", "net_port", "handled_access_fs", "handled_access_net", "allowed_access");
    }
}
