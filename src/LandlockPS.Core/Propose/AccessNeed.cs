using LandlockPS.Core.Landlock;
using LandlockPS.Core.Observe;

namespace LandlockPS.Core.Propose;

/// <summary>Rights one traced access needs on one place, and why there.</summary>
internal sealed record AccessNeed(string Place, LandlockAccessFs Access, bool OnFolder, string Basis, LandlockAccessEvent Source);
