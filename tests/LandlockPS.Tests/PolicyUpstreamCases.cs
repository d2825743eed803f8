using System.Collections.Generic;
using System.Linq;
using LandlockPS.Core.Landlock;
using LandlockPS.Core.Policy;
using Fs = LandlockPS.Core.Landlock.LandlockAccessFs;
using Net = LandlockPS.Core.Landlock.LandlockAccessNet;
using Scope = LandlockPS.Core.Landlock.LandlockScope;

namespace LandlockPS.Tests;

/// <summary>What upstream makes of a case: rejected (null), or what the resolved configuration holds.</summary>
internal sealed record UpstreamOutcome(Fs HandledFs, Net HandledNet, Scope Scope, (string Path, Fs Access)[] Paths, (int Port, Net Access)[] Ports)
{
    public static readonly UpstreamOutcome Nothing = new(Fs.None, Net.None, Scope.None, [], []);
}

/// <summary>One document case of landlockconfig's test suite: one document, or two that compose.</summary>
internal sealed record UpstreamCase(string Name, PolicyFormat Format, string[] Documents, UpstreamOutcome? Expected);

/// <summary>
/// The document cases of landlockconfig's parser, variable, ABI and composition tests (src/tests_*.rs),
/// written as their documents and the resolved configurations upstream asserts, so the importer can be
/// held to the reference parser case by case. Upstream's rule paths are relative; the test creates them
/// under a base directory. Upstream's tests stop at its newest ABI (6); the ABI loops here go on to the
/// newest this module knows, with the same meaning.
/// </summary>
internal static class UpstreamCases
{
    private const Fs Rx = Fs.Execute | Fs.ReadFile | Fs.ReadDir;

    public static IReadOnlyDictionary<string, UpstreamCase> All { get; } = Build().ToDictionary(c => c.Name);

    private static Fs AllFs(int abi) => AbiFeatures.Of((LandlockAbi)abi).AccessFs;

    private static Net AllNet(int abi) => AbiFeatures.Of((LandlockAbi)abi).AccessNet;

    private static Scope AllScope(int abi) => AbiFeatures.Of((LandlockAbi)abi).Scope;

    private static UpstreamOutcome Handles(Fs fs = Fs.None, Net net = Net.None, Scope scope = Scope.None) => new(fs, net, scope, [], []);

    private static UpstreamCase Json(string name, string document, UpstreamOutcome? expected) => new(name, PolicyFormat.Json, [document], expected);

    private static UpstreamCase Toml(string name, string document, UpstreamOutcome? expected) => new(name, PolicyFormat.Toml, [document], expected);

    private static UpstreamCase Compose(string name, string first, string second, UpstreamOutcome expected) => new(name, PolicyFormat.Json, [first, second], expected);

    private static IEnumerable<UpstreamCase> Build() =>
        Parser().Concat(Variables()).Concat(Abi()).Concat(Composition());

    // src/tests_parser.rs
    private static IEnumerable<UpstreamCase> Parser()
    {
        yield return Json("json_schema", """{ "ruleset": 0 }""", null);
        yield return Json("empty_config_json_1", "{\n}", null);
        yield return Json("empty_config_json_2", """{ "ruleset": null }""", null);
        yield return Toml("empty_config_toml", "", null);
        yield return Json("empty_ruleset_array_json", """{ "ruleset": [ ] }""", null);
        yield return Json("empty_handled_access_fs_1", """{ "ruleset": [ { "handledAccessFs": [ ] } ] }""", null);
        yield return Json("empty_handled_access_fs_2", """{ "ruleset": [ { "handledAccessFs": [ ] }, { "handledAccessFs": [ "execute" ] }, { "handledAccessFs": [ ] } ] }""", null);
        yield return Json("empty_handled_access_net", """{ "ruleset": [ { "handledAccessNet": [ ] } ] }""", null);
        yield return Json("empty_scoped", """{ "ruleset": [ { "scoped": [ ] } ] }""", null);
        yield return Json("empty_path_beneath", """{ "pathBeneath": [ ] }""", null);
        yield return Json("empty_path_beneath_access", """{ "pathBeneath": [ { "allowedAccess": [ ], "parent": [ "." ] } ] }""", null);
        yield return Json("empty_path_beneath_parent", """{ "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ ] } ] }""", null);
        yield return Json("empty_net_port", """{ "netPort": [ ] }""", null);
        yield return Json("empty_net_port_access", """{ "netPort": [ { "allowedAccess": [ ], "port": [ 443 ] } ] }""", null);
        yield return Json("empty_net_port_number", """{ "netPort": [ { "allowedAccess": [ "bind_tcp" ], "port": [ ] } ] }""", null);
        yield return Json("empty_ruleset_json", """{ "ruleset": [ {} ] }""", null);
        yield return Toml("empty_ruleset_toml", "[[ruleset]]\n", null);
        yield return Json("full_ruleset_1",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ], "handledAccessNet": [ "bind_tcp" ], "scoped": [ "abstract_unix_socket" ] } ] }""",
            Handles(Fs.Execute, Net.BindTcp, Scope.AbstractUnixSocket));
        yield return Json("full_ruleset_2",
            """{ "ruleset": [ { "handledAccessNet": [ "bind_tcp" ], "scoped": [ "abstract_unix_socket" ], "handledAccessFs": [ "execute" ] } ] }""",
            Handles(Fs.Execute, Net.BindTcp, Scope.AbstractUnixSocket));
        yield return Json("one_handled_access_fs", """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ] }""", Handles(Fs.Execute));
        string everyFsName = """ "abi.all", "abi.read_execute", "abi.read_write", "execute", "write_file", "read_file", "read_dir", "remove_dir", "remove_file", "make_char", "make_dir", "make_reg", "make_sock", "make_fifo", "make_block", "make_sym", "refer", "truncate", "ioctl_dev" """;
        yield return Json("all_handled_access_fs_json", $$"""{ "abi": 6, "ruleset": [ { "handledAccessFs": [ {{everyFsName}} ] } ] }""", Handles(AllFs(6)));
        yield return Toml("all_handled_access_fs_toml", $"abi = 6\n[[ruleset]]\nhandled_access_fs = [ {everyFsName}, ]\n", Handles(AllFs(6)));
        yield return Json("unknown_ruleset_field", """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "foo": [ ] }""", null);
        yield return Json("dup_handled_access_fs_1", """{ "ruleset": [ { "handledAccessFs": [ "execute", "write_file", "execute" ] } ] }""", Handles(Fs.Execute | Fs.WriteFile));
        yield return Json("dup_handled_access_fs_2",
            """{ "ruleset": [ { "handledAccessFs": [ "write_file" ] }, { "handledAccessFs": [ "execute" ] }, { "handledAccessFs": [ "write_file" ] } ] }""",
            Handles(Fs.Execute | Fs.WriteFile));
        yield return Json("unknown_handled_access_fs_1", """{ "ruleset": [ { "handledAccessFs": [ "foo" ] } ] }""", null);
        yield return Json("unknown_handled_access_fs_2", """{ "ruleset": [ { "handledAccessFs": [ "bind_tcp" ] } ] }""", null);
        yield return Json("one_path_beneath_str",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "." ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [(".", Fs.Execute)], []));
        yield return Json("one_path_beneath_int",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ 2 ] } ] }""", null);
        yield return Json("dup_path_beneath_1",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ ".", "." ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [(".", Fs.Execute)], []));
        yield return Json("dup_path_beneath_2",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "." ] }, { "allowedAccess": [ "execute" ], "parent": [ "." ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [(".", Fs.Execute)], []));
        yield return Json("overlap_path_beneath", """
            { "ruleset": [ { "handledAccessFs": [ "execute" ] }, { "handledAccessFs": [ "read_file", "write_file" ] } ],
              "pathBeneath": [
                { "allowedAccess": [ "execute" ], "parent": [ "." ] },
                { "allowedAccess": [ "write_file" ], "parent": [ "." ] },
                { "allowedAccess": [ "execute", "read_file" ], "parent": [ "." ] },
                { "allowedAccess": [ "execute" ], "parent": [ "." ] } ] }
            """,
            new(Fs.Execute | Fs.ReadFile | Fs.WriteFile, Net.None, Scope.None, [(".", Fs.Execute | Fs.ReadFile | Fs.WriteFile)], []));
        yield return Json("normalization_path_beneath", """
            { "ruleset": [ { "handledAccessFs": [ "execute" ] } ],
              "pathBeneath": [
                { "allowedAccess": [ "execute" ], "parent": [ ".", "./", ".", "a/./b" ] },
                { "allowedAccess": [ "execute" ], "parent": [ ".//", "a/////b", "c/../c" ] } ] }
            """,
            new(Fs.Execute, Net.None, Scope.None, [(".", Fs.Execute), ("a/b", Fs.Execute), ("c/../c", Fs.Execute)], []));
        yield return Json("one_handled_access_net", """{ "ruleset": [ { "handledAccessNet": [ "bind_tcp" ] } ] }""", Handles(net: Net.BindTcp));
        yield return Json("all_handled_access_net", """{ "abi": 6, "ruleset": [ { "handledAccessNet": [ "bind_tcp", "connect_tcp", "abi.all" ] } ] }""", Handles(net: AllNet(6)));
        yield return Json("dup_handled_access_net_1", """{ "ruleset": [ { "handledAccessNet": [ "bind_tcp", "connect_tcp", "bind_tcp" ] } ] }""", Handles(net: Net.BindTcp | Net.ConnectTcp));
        yield return Json("dup_handled_access_net_2",
            """{ "ruleset": [ { "handledAccessNet": [ "connect_tcp" ] }, { "handledAccessNet": [ "bind_tcp" ] }, { "handledAccessNet": [ "connect_tcp" ] } ] }""",
            Handles(net: Net.BindTcp | Net.ConnectTcp));
        yield return Json("unknown_handled_access_net_1", """{ "ruleset": [ { "handledAccessNet": [ "foo" ] } ] }""", null);
        yield return Json("unknown_handled_access_net_2", """{ "ruleset": [ { "handledAccessNet": [ "execute" ] } ] }""", null);
        yield return Json("one_net_port",
            """{ "ruleset": [ { "handledAccessNet": [ "bind_tcp" ] } ], "netPort": [ { "allowedAccess": [ "bind_tcp" ], "port": [ 443 ] } ] }""",
            new(Fs.None, Net.BindTcp, Scope.None, [], [(443, Net.BindTcp)]));
        yield return Json("overlap_net_port", """
            { "ruleset": [ { "handledAccessNet": [ "bind_tcp", "connect_tcp" ] } ],
              "netPort": [
                { "allowedAccess": [ "connect_tcp" ], "port": [ 443 ] },
                { "allowedAccess": [ "bind_tcp" ], "port": [ 443 ] },
                { "allowedAccess": [ "connect_tcp" ], "port": [ 443 ] } ] }
            """,
            new(Fs.None, Net.BindTcp | Net.ConnectTcp, Scope.None, [], [(443, Net.BindTcp | Net.ConnectTcp)]));
        yield return Json("mix_handled_access_1", """{ "ruleset": [ { "handledAccessFs": [ "execute" ], "handledAccessNet": [ "bind_tcp" ] } ] }""", Handles(Fs.Execute, Net.BindTcp));
        yield return Json("mix_handled_access_2",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ], "handledAccessNet": [ "bind_tcp" ] }, { "handledAccessNet": [ "connect_tcp" ] } ] }""",
            Handles(Fs.Execute, Net.BindTcp | Net.ConnectTcp));
        yield return Json("one_scoped", """{ "ruleset": [ { "scoped": [ "abstract_unix_socket" ] } ] }""", Handles(scope: Scope.AbstractUnixSocket));
        yield return Json("all_scoped", """{ "abi": 6, "ruleset": [ { "scoped": [ "abstract_unix_socket", "signal", "abi.all" ] } ] }""", Handles(scope: AllScope(6)));
        yield return Json("dup_scoped_1", """{ "ruleset": [ { "scoped": [ "abstract_unix_socket", "signal", "abstract_unix_socket" ] } ] }""", Handles(scope: Scope.Signal | Scope.AbstractUnixSocket));
        yield return Json("dup_scoped_2", """{ "ruleset": [ { "scoped": [ "signal" ] }, { "scoped": [ "abstract_unix_socket" ] }, { "scoped": [ "signal" ] } ] }""", Handles(scope: Scope.Signal | Scope.AbstractUnixSocket));
        yield return Json("unknown_scoped_1", """{ "ruleset": [ { "scoped": [ "foo" ] } ] }""", null);
        yield return Json("unknown_scoped_2", """{ "ruleset": [ { "scoped": [ "execute" ] } ] }""", null);
        yield return Json("infer_mixed_handled_and_rule",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "netPort": [ { "allowedAccess": [ "bind_tcp" ], "port": [ 443 ] } ] }""",
            new(Fs.Execute, Net.BindTcp, Scope.None, [], [(443, Net.BindTcp)]));
        yield return Json("infer_handled_access_fs",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "write_file" ], "parent": [ "." ] }, { "allowedAccess": [ "read_file" ], "parent": [ "." ] } ] }""",
            new(Fs.Execute | Fs.WriteFile | Fs.ReadFile, Net.None, Scope.None, [(".", Fs.WriteFile | Fs.ReadFile)], []));
        yield return Json("infer_handled_access_net",
            """{ "ruleset": [ { "handledAccessNet": [ "bind_tcp" ] } ], "netPort": [ { "allowedAccess": [ "connect_tcp" ], "port": [ 443 ] } ] }""",
            new(Fs.None, Net.BindTcp | Net.ConnectTcp, Scope.None, [], [(443, Net.ConnectTcp)]));
        yield return Json("path_beneath_alone", """{ "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "." ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [(".", Fs.Execute)], []));
        yield return Json("net_port_alone", """{ "netPort": [ { "allowedAccess": [ "bind_tcp" ], "port": [ 443 ] } ] }""",
            new(Fs.None, Net.BindTcp, Scope.None, [], [(443, Net.BindTcp)]));
    }

    // src/tests_variable.rs
    private static IEnumerable<UpstreamCase> Variables()
    {
        yield return Json("empty_variable", """{ "variable": [ ] }""", null);
        yield return Json("empty_variable_item", """{ "variable": [ {} ] }""", null);
        yield return Json("empty_variable_name", """{ "variable": [ { "literal": [ "foo" ] } ] }""", null);
        yield return Json("without_value", """{ "variable": [ { "name": "bar" } ] }""", UpstreamOutcome.Nothing);
        yield return Json("one_variable_json", """{ "variable": [ { "name": "bar", "literal": [ "foo" ] } ] }""", UpstreamOutcome.Nothing);
        yield return Toml("one_variable_toml", "[[variable]]\nname = \"bar\"\nliteral = [\n    \"foo\",\n]\n", UpstreamOutcome.Nothing);
        yield return Json("one_variable_simple_1", """{ "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ] }""", UpstreamOutcome.Nothing);
        string[] invalid = ["1foo", "_foo", "À", "e€", " foo", "foo bar", "foo ", "foo-bar", "foo_çë"];
        foreach (string name in invalid)
        {
            yield return Json($"variable_name_invalid_declared '{name}'", $$"""{ "variable": [ { "name": "{{name}}", "literal": [ "value" ] } ] }""", null);
            yield return Json($"variable_name_invalid_used '{name}'", $$"""{ "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${{{name}}}" ] } ] }""", null);
        }
        string[] valid = ["F", "FOO", "Foo", "f", "fOo", "foo", "foo_", "foo__bar", "foo_bar", "a"];
        foreach (string name in valid)
        {
            yield return Json($"variable_name_valid '{name}'", $$"""{ "variable": [ { "name": "{{name}}", "literal": [ "value" ] } ] }""", UpstreamOutcome.Nothing);
        }
        yield return Json("one_variable_template_error_1",
            """{ "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${a" ] } ] }""", null);
        yield return Json("one_variable_template_missing",
            """{ "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}/${bar}" ] } ] }""", null);
        var ab = new UpstreamOutcome(Fs.Execute, Net.None, Scope.None, [("a", Fs.Execute), ("b", Fs.Execute)], []);
        yield return Json("one_variable_json_toml_template (json)",
            """{ "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}" ] } ] }""", ab);
        yield return Json("one_variable_json_toml_template (json, reversed)",
            """{ "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}" ] } ], "variable": [ { "name": "foo", "literal": [ "b", "a" ] } ] }""", ab);
        yield return Toml("one_variable_json_toml_template (toml)",
            "[[variable]]\nname = \"foo\"\nliteral = [\n    \"a\",\n    \"b\",\n]\n\n[[path_beneath]]\nallowed_access = [ \"execute\" ]\nparent = [ \"${foo}\" ]\n", ab);
        yield return Toml("one_variable_json_toml_template (toml, reversed)",
            "[[path_beneath]]\nallowed_access = [ \"execute\" ]\nparent = [ \"${foo}\" ]\n\n[[variable]]\nname = \"foo\"\nliteral = [\n    \"b\",\n    \"a\",\n]\n", ab);
        yield return Json("two_variable_template", """
            { "variable": [ { "name": "foo", "literal": [ "a", "b" ] }, { "name": "bar", "literal": [ "X", "Y", "Z" ] } ],
              "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "before/${foo}/${bar}/after" ] } ] }
            """,
            new(Fs.Execute, Net.None, Scope.None,
                [.. from foo in new[] { "a", "b" } from bar in new[] { "X", "Y", "Z" } select ($"before/{foo}/{bar}/after", Fs.Execute)], []));
        yield return Json("special_characters", """
            { "variable": [ { "name": "foo", "literal": [ "bar" ] } ],
              "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "$$", "$${foo}", "$${${foo}", "{${foo}" ] } ] }
            """,
            new(Fs.Execute, Net.None, Scope.None, [("$", Fs.Execute), ("${foo}", Fs.Execute), ("${bar", Fs.Execute), ("{bar", Fs.Execute)], []));
    }

    // src/tests_abi.rs
    private static IEnumerable<UpstreamCase> Abi()
    {
        yield return Json("access_fs_with_value (json)", """{ "abi": 2, "ruleset": [ { "handledAccessFs": [ "abi.all" ] } ] }""", Handles(AllFs(2)));
        yield return Toml("access_fs_with_value (toml)", "abi = 2\n[[ruleset]]\nhandled_access_fs = [\n    \"abi.all\",\n]\n", Handles(AllFs(2)));
        yield return Json("access_fs_without_value (json)", """{ "ruleset": [ { "handledAccessFs": [ "abi.all" ] } ] }""", null);
        yield return Toml("access_fs_without_value (toml)", "[[ruleset]]\nhandled_access_fs = [\n    \"abi.all\",\n]\n", null);
        yield return Json("format_error (json)", """{ "abi": 1 }""", null);
        yield return Toml("format_error (toml)", "abi = 1\n", null);
        yield return Json("format_ok (json)", """{ "abi": 1, "ruleset": [ { "handledAccessFs": [ "execute" ] } ] }""", Handles(Fs.Execute));
        yield return Toml("format_ok (toml)", "abi = 1\n[[ruleset]]\nhandled_access_fs = [\n    \"execute\",\n]\n", Handles(Fs.Execute));
        yield return Json("dup_abi (json)", """{ "abi": 1, "abi": 1, "ruleset": [ { "handledAccessFs": [ "execute" ] } ] }""", null);
        yield return Toml("dup_abi (toml)", "abi = 1\nabi = 1\n[[ruleset]]\nhandled_access_fs = [\n    \"execute\",\n]\n", null);
        for (int abi = 1; abi <= (int)AbiFeatures.Newest; abi++)
        {
            // A net_port rule of abi.all grants nothing before ABI 4: upstream leaves it out.
            (int, Net)[] port = AllNet(abi) == Net.None ? [] : [(1, AllNet(abi))];
            var all = new UpstreamOutcome(AllFs(abi), AllNet(abi), AllScope(abi), [(".", AllFs(abi))], port);
            yield return Json($"all_versions_abi_all (json, abi {abi})", $$"""
                { "abi": {{abi}},
                  "ruleset": [ { "handledAccessFs": [ "abi.all" ], "handledAccessNet": [ "abi.all" ], "scoped": [ "abi.all" ] } ],
                  "pathBeneath": [ { "allowedAccess": [ "abi.all" ], "parent": [ "." ] } ],
                  "netPort": [ { "allowedAccess": [ "abi.all" ], "port": [ 1 ] } ] }
                """, all);
            yield return Toml($"all_versions_abi_all (toml, abi {abi})", $"""
                abi = {abi}
                [[ruleset]]
                handled_access_fs = [ "abi.all" ]
                handled_access_net = [ "abi.all" ]
                scoped = [ "abi.all" ]
                [[path_beneath]]
                allowed_access = [ "abi.all" ]
                parent = [ "." ]
                [[net_port]]
                allowed_access = [ "abi.all" ]
                port = [ 1 ]
                """, all);
            Fs readExecute = Rx | (AllFs(abi) & Fs.Refer), readWrite = AllFs(abi) & ~Fs.Execute;
            foreach ((string group, Fs rights) in new[] { ("read_execute", readExecute), ("read_write", readWrite) })
            {
                var expected = new UpstreamOutcome(rights, Net.None, Scope.None, [(".", rights)], []);
                yield return Json($"all_versions_abi_{group} (json, abi {abi})", $$"""
                    { "abi": {{abi}}, "ruleset": [ { "handledAccessFs": [ "abi.{{group}}" ] } ],
                      "pathBeneath": [ { "allowedAccess": [ "abi.{{group}}" ], "parent": [ "." ] } ] }
                    """, expected);
                yield return Toml($"all_versions_abi_{group} (toml, abi {abi})",
                    $"abi = {abi}\n[[ruleset]]\nhandled_access_fs = [ \"abi.{group}\" ]\n[[path_beneath]]\nallowed_access = [ \"abi.{group}\" ]\nparent = [ \".\" ]\n", expected);
            }
        }
        foreach ((string name, string abi, string right, UpstreamOutcome? expected) in new[]
        {
            ("zero", "0", "execute", (UpstreamOutcome?)null),
            ("negative", "-1", "execute", null),
            ("i32", "2147483647", "abi.all", Handles(AllFs((int)AbiFeatures.Newest))),
            ("p31", "2147483648", "abi.all", null),
            ("p32", "4294967295", "execute", null),
            ("p64", "18446744073709551616", "execute", null),
            ("p128", "340282366920938463463374607431768211456", "execute", null),
        })
        {
            yield return Json($"{name} (json)", $$"""{ "abi": {{abi}}, "ruleset": [ { "handledAccessFs": [ "{{right}}" ] } ] }""", expected);
            yield return Toml($"{name} (toml)", $"abi = {abi}\n[[ruleset]]\nhandled_access_fs = [\n    \"{right}\",\n]\n", expected);
        }
    }

    // src/tests_compose.rs: each pair composes the same both ways, and each part with itself is itself.
    private static IEnumerable<UpstreamCase> Composition()
    {
        const string ExecuteA = """{ "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "a" ] } ] }""";
        const string ReadAB = """{ "pathBeneath": [ { "allowedAccess": [ "read_file" ], "parent": [ "a" ] }, { "allowedAccess": [ "read_file" ], "parent": [ "b" ] } ] }""";
        yield return Compose("compose_most_fs_net",
            """{ "abi": 4, "ruleset": [ { "handledAccessFs": [ "abi.all" ], "handledAccessNet": [ "abi.all" ], "scoped": [ "abi.all" ] } ] }""",
            """{ "abi": 6, "pathBeneath": [ { "allowedAccess": [ "abi.all" ], "parent": [ "a" ] } ], "netPort": [ { "allowedAccess": [ "abi.all" ], "port": [ 1 ] } ] }""",
            new(AllFs(4), AllNet(4), Scope.None, [("a", AllFs(4))], [(1, AllNet(4))]));
        yield return Compose("compose_scope",
            """{ "ruleset": [ { "scoped": [ "abstract_unix_socket" ] } ] }""",
            """{ "abi": 6, "ruleset": [ { "scoped": [ "abi.all" ] } ] }""",
            Handles(scope: Scope.AbstractUnixSocket));
        yield return Compose("compose_exclusive", ExecuteA, ReadAB, UpstreamOutcome.Nothing);
        yield return Compose("compose_complement1",
            """{ "ruleset": [ { "handledAccessFs": [ "read_file" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "a" ] } ] }""",
            ReadAB,
            new(Fs.ReadFile, Net.None, Scope.None, [("a", Fs.ReadFile), ("b", Fs.ReadFile)], []));
        yield return Compose("compose_complement2",
            ExecuteA,
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "read_file" ], "parent": [ "a" ] }, { "allowedAccess": [ "read_file" ], "parent": [ "b" ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [("a", Fs.Execute)], []));
        yield return Compose("compose_standalone_variable",
            """{ "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}" ] } ] }""",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "pathBeneath": [ { "allowedAccess": [ "read_file" ], "parent": [ "a" ] }, { "allowedAccess": [ "read_file" ], "parent": [ "b" ] } ] }""",
            new(Fs.Execute, Net.None, Scope.None, [("a", Fs.Execute), ("b", Fs.Execute)], []));
        yield return Compose("compose_shared_variable",
            """{ "ruleset": [ { "handledAccessFs": [ "read_file" ] } ], "variable": [ { "name": "foo", "literal": [ "a", "b" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}" ] } ] }""",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "variable": [ { "name": "foo" } ], "pathBeneath": [ { "allowedAccess": [ "read_file" ], "parent": [ "${foo}" ] }, { "allowedAccess": [ "read_file" ], "parent": [ "x/${foo}" ] } ] }""",
            new(Fs.Execute | Fs.ReadFile, Net.None, Scope.None,
                [("a", Fs.Execute | Fs.ReadFile), ("b", Fs.Execute | Fs.ReadFile), ("x/a", Fs.ReadFile), ("x/b", Fs.ReadFile)], []));
        yield return Compose("compose_same_resolved_path",
            """{ "ruleset": [ { "handledAccessFs": [ "read_file" ] } ], "variable": [ { "name": "foo", "literal": [ "a" ] } ], "pathBeneath": [ { "allowedAccess": [ "execute" ], "parent": [ "${foo}" ] } ] }""",
            """{ "ruleset": [ { "handledAccessFs": [ "execute" ] } ], "variable": [ { "name": "bar", "literal": [ "a" ] } ], "pathBeneath": [ { "allowedAccess": [ "read_file" ], "parent": [ "${bar}" ] } ] }""",
            new(Fs.Execute | Fs.ReadFile, Net.None, Scope.None, [("a", Fs.Execute | Fs.ReadFile)], []));
        string OldAbi(int abi, string handledFs, string handledNet, string pathAccess) => $$"""
            { "abi": {{abi}}, "ruleset": [ { "handledAccessFs": [ "{{handledFs}}" ], "handledAccessNet": [ "{{handledNet}}" ] } ],
              "pathBeneath": [ { "allowedAccess": [ "{{pathAccess}}" ], "parent": [ "." ] } ],
              "netPort": [ { "allowedAccess": [ "abi.all" ], "port": [ 1 ] } ] }
            """;
        yield return Compose("abi_compose_all",
            OldAbi(1, "abi.all", "abi.all", "abi.read_execute"), OldAbi(2, "abi.all", "abi.all", "abi.read_write"),
            new(AllFs(1), Net.None, Scope.None, [(".", AllFs(1))], []));
        yield return Compose("abi_compose_read_write_v1",
            OldAbi(1, "abi.all", "abi.all", "abi.read_execute"), OldAbi(2, "abi.read_write", "bind_tcp", "abi.read_write"),
            new(AllFs(1) & ~Fs.Execute, Net.None, Scope.None, [(".", AllFs(1) & ~Fs.Execute)], []));
        yield return Compose("abi_compose_read_write_v4",
            OldAbi(4, "abi.all", "abi.all", "abi.read_execute"), OldAbi(6, "abi.read_write", "bind_tcp", "abi.read_write"),
            new(AllFs(4) & ~Fs.Execute, AllNet(4), Scope.None, [(".", AllFs(4) & ~Fs.Execute)], [(1, AllNet(4))]));
    }
}
