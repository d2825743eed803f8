using System;
using System.Reflection.Emit;
using LandlockPS.Remoting;
using Xunit;

namespace LandlockPS.Tests;

public class SessionHostCallTests
{
    // A PowerShell that renamed the method would let a session's own host calls read the terminal
    // whenever a command of the caller's is open: this is where that shows first.
    [Fact]
    public void PowerShellCarriesOutSessionHostCallsInTheMethodLookedFor() => Assert.True(SessionHostCall.IsKnown);

    [Fact]
    public void AnyOtherCallIsNotTheSessions() => Assert.False(SessionHostCall.IsCurrent());

    // PowerShell carries a host call out by reflection, which from the second call of a method on goes
    // through an emitted stub: a frame of a dynamic method, which has no metadata token to compare
    // (asking for one throws, and every prompt after the first failed).
    [Fact]
    public void ACallBeneathADynamicMethodIsNotTheSessions()
    {
        var stub = new DynamicMethod("InvokeStub_Probe", typeof(bool), Type.EmptyTypes, typeof(SessionHostCallTests).Module);
        ILGenerator il = stub.GetILGenerator();
        il.Emit(OpCodes.Call, typeof(SessionHostCall).GetMethod(nameof(SessionHostCall.IsCurrent))!);
        // Not a tail call, which would take the stub's frame off the stack: negated twice.
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ceq);
        il.Emit(OpCodes.Ldc_I4_0);
        il.Emit(OpCodes.Ceq);
        il.Emit(OpCodes.Ret);
        Assert.False(stub.CreateDelegate<Func<bool>>()());
    }
}
