using System;
using System.IO;
using System.Linq;

namespace LandlockPS.Tests;

/// <summary>
/// Small programs and libraries built with the system C compiler, each linked to exercise one rule
/// of the loader's search: RUNPATH with $ORIGIN (not inherited), RPATH (inherited), a dependency
/// cycle, a library that has gone (also behind a RUNPATH too long to follow), LD_LIBRARY_PATH only, a library with a build for newer CPUs.
/// Built once for the test class.
/// </summary>
public sealed class LinkedPrograms : IDisposable
{
    private readonly TempTree _tree = new();

    public LinkedPrograms()
    {
        // Readable by every user, as a shared build folder is: these programs' libraries are named
        // from /tmp, where only files anyone may read are followed (see DependencyTrustTests).
        File.SetUnixFileMode(_tree.Root, (UnixFileMode)0b111_101_101);
        Lib = _tree.Dir("lib");
        Bin = _tree.Dir("bin");
        string src = _tree.Dir("src");
        File.WriteAllText(Path.Combine(src, "leaf.c"), "int leaf(void) { return 41; }\n");
        File.WriteAllText(Path.Combine(src, "mid.c"), "int leaf(void);\nint mid(void) { return leaf() + 1; }\n");
        File.WriteAllText(Path.Combine(src, "app.c"), "#include <stdio.h>\nint mid(void);\nint main(void) { printf(\"%d\\n\", mid()); return 0; }\n");
        File.WriteAllText(Path.Combine(src, "main.c"), "int main(void) { return 0; }\n");

        const string origin = "'-Wl,-rpath,$ORIGIN/../lib'";
        Cc($"-shared -fPIC -Wl,-soname,libleaf.so -o lib/libleaf.so src/leaf.c");
        Cc($"-shared -fPIC -o lib/libmid.so src/mid.c -Llib -lleaf");
        Cc($"-o bin/app-runpath src/app.c -Llib -lmid -Wl,-rpath-link,lib -Wl,--enable-new-dtags {origin}");
        Cc($"-o bin/app-rpath src/app.c -Llib -lmid -Wl,-rpath-link,lib -Wl,--disable-new-dtags {origin}");
        Cc($"-o bin/app-plain src/app.c -Llib -lmid -Wl,-rpath-link,lib");

        // libcyca needs libcycb and libcycb needs libcyca: build a, then b against it, then a again against b.
        const string own = "-Wl,--no-as-needed -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN'";
        Cc($"-shared -fPIC -Wl,-soname,libcyca.so -o lib/libcyca.so src/leaf.c");
        Cc($"-shared -fPIC -Wl,-soname,libcycb.so -o lib/libcycb.so src/main.c -Llib {own} -lcyca");
        Cc($"-shared -fPIC -Wl,-soname,libcyca.so -o lib/libcyca.so src/leaf.c -Llib {own} -lcycb");
        Cc($"-o bin/app-cycle src/main.c -Llib -Wl,-rpath-link,lib {own.Replace("$ORIGIN", "$ORIGIN/../lib")} -lcyca");

        Cc($"-shared -fPIC -Wl,-soname,libgone.so -o lib/libgone.so src/leaf.c");
        Cc($"-o bin/app-missing src/main.c -Llib -Wl,--no-as-needed -Wl,--enable-new-dtags {origin} -lgone");
        // The same, searching 300 directories that do not exist first: more than ProgramDependencies follows.
        string many = string.Join(':', Enumerable.Range(0, 300).Select(i => $"/nonexistent/d{i}"));
        Cc($"-o bin/app-longpath src/main.c -Llib -Wl,--no-as-needed -Wl,--enable-new-dtags -Wl,-rpath,{many} -lgone");
        File.Delete(Path.Combine(Lib, "libgone.so"));

        // libhw.so says 1; its glibc-hwcaps build for x86-64-v2 (nearly every x86-64 CPU) says 2.
        File.WriteAllText(Path.Combine(src, "hw1.c"), "int hw(void) { return 1; }\n");
        File.WriteAllText(Path.Combine(src, "hw2.c"), "int hw(void) { return 2; }\n");
        File.WriteAllText(Path.Combine(src, "hwapp.c"), "#include <stdio.h>\nint hw(void);\nint main(void) { printf(\"%d\\n\", hw()); return 0; }\n");
        _tree.Dir("hwlib/glibc-hwcaps/x86-64-v2");
        Cc("-shared -fPIC -Wl,-soname,libhw.so -o hwlib/libhw.so src/hw1.c");
        Cc("-shared -fPIC -Wl,-soname,libhw.so -o hwlib/glibc-hwcaps/x86-64-v2/libhw.so src/hw2.c");
        Cc("-o bin/app-hwcaps src/hwapp.c -Lhwlib -lhw -Wl,--enable-new-dtags '-Wl,-rpath,$ORIGIN/../hwlib'");
    }

    public string Lib { get; }

    public string Bin { get; }

    public string Program(string name) => Path.Combine(Bin, name);

    public string Library(string name) => Path.Combine(Lib, name);

    /// <summary>A library as a program of <see cref="Bin"/> finds it through $ORIGIN/../lib, dots and all.</summary>
    public string ViaOrigin(string name) => Path.Combine(Bin, "..", "lib", name);

    public void Dispose() => _tree.Dispose();

    private void Cc(string arguments) => CCompiler.Run(_tree.Root, arguments);
}
