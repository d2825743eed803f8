// LandlockPS is Linux-only: Landlock is a Linux security module.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
