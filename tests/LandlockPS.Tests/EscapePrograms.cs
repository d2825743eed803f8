using System;
using System.IO;

namespace LandlockPS.Tests;

/// <summary>
/// Small C programs that try what a sandbox must not let through: leave the run before its first
/// line of main, run a copy of a program from a memfd, make an io_uring, call through the x32 ABI.
/// Built once for the test class, in a folder the tests grant ReadExecute on.
/// </summary>
public sealed class EscapePrograms : IDisposable
{
    private readonly TempTree _tree = new();

    public EscapePrograms()
    {
        Bin = _tree.Dir("bin");
        string src = _tree.Dir("src");
        Build(src, "ctorfork", """
            #include <stdio.h>
            #include <unistd.h>
            /* Before main, in the first code of the program: a grandchild in a session of its own
               prints its pid and waits for good. */
            __attribute__((constructor)) static void leave(void) {
                if (fork() != 0) return;
                setsid();
                if (fork() == 0) {
                    char line[32];
                    int n = snprintf(line, sizeof line, "%d\n", getpid());
                    write(1, line, n);
                    close(0); close(1); close(2);
                    for (;;) pause();
                }
                _exit(0);
            }
            int main(void) { usleep(100000); return 0; }
            """);
        Build(src, "intocgroup", """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <linux/sched.h>
            #include <signal.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            /* intocgroup DIR [wait]: starts a child straight into the cgroup DIR with clone3's
               CLONE_INTO_CGROUP, through an O_PATH descriptor (which Landlock never checks); where clone3
               is refused, forks as glibc would. The child, in a session of its own, prints its pid and how
               it was made, and waits for good; with "wait", so does the parent. */
            int main(int argc, char **argv) {
                struct clone_args args;
                memset(&args, 0, sizeof args);
                args.flags = CLONE_INTO_CGROUP;
                args.exit_signal = SIGCHLD;
                args.cgroup = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
                const char *how = "clone3";
                long pid = syscall(SYS_clone3, &args, sizeof args);
                if (pid < 0) { how = "fork"; pid = fork(); }
                if (pid > 0 && argc > 2) for (;;) pause();
                if (pid != 0) return pid < 0;
                setsid();
                printf("%d %s\n", getpid(), how);
                fflush(stdout);
                close(0); close(1); close(2);
                for (;;) pause();
            }
            """);
        Build(src, "memfdexec", """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <fcntl.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            /* memfdexec PROGRAM FLAGS execveat|procfd: copies PROGRAM into a memfd made with FLAGS and
               runs the copy. Exit 2: no memfd; 3: the exec failed; otherwise the copy's own status. */
            int main(int argc, char **argv) {
                int fd = syscall(SYS_memfd_create, "copy", (unsigned)strtoul(argv[2], 0, 0));
                if (fd < 0) { printf("memfd_create: %s\n", strerror(errno)); return 2; }
                int in = open(argv[1], O_RDONLY);
                char buffer[65536];
                ssize_t n;
                while ((n = read(in, buffer, sizeof buffer)) > 0) write(fd, buffer, n);
                char *args[] = { argv[1], NULL }, *env[] = { NULL };
                char path[64];
                snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                fflush(stdout);
                if (strcmp(argv[3], "execveat") == 0) syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
                else execve(path, args, env);
                printf("%s: %s\n", argv[3], strerror(errno));
                return 3;
            }
            """);
        Build(src, "uring", """
            #include <errno.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            /* io_uring_setup(4, zeroed params): "io_uring: ok", or why not. */
            int main(void) {
                unsigned params[30] = { 0 };
                long fd = syscall(425, 4, params);
                if (fd >= 0) puts("io_uring: ok"); else printf("io_uring: %s\n", strerror(errno));
                return 0;
            }
            """);
        if (System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            Build(src, "x32", """
                #include <stdio.h>
                /* getpid through the x32 ABI (its bit in the call number): the kernel's answer, if any. */
                int main(void) {
                    long result;
                    __asm__ volatile ("syscall" : "=a"(result) : "a"(0x40000000L | 39L) : "rcx", "r11", "memory");
                    printf("x32: %ld\n", result);
                    return 0;
                }
                """);
        }
    }

    /// <summary>The folder the programs are in.</summary>
    public string Bin { get; }

    public string Program(string name) => Path.Combine(Bin, name);

    public void Dispose() => _tree.Dispose();

    private void Build(string src, string name, string source)
    {
        File.WriteAllText(Path.Combine(src, name + ".c"), source);
        CCompiler.Run(_tree.Root, $"-O2 -o bin/{name} src/{name}.c");
    }
}
