using System.Reflection;
using Xunit.Sdk;

namespace SmbSign.Testing;

/// <summary>Feeds a parser the same bytes whole, split in two at every offset, and one byte per read.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class WireDataAttribute(string hex) : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        byte[] payload = Convert.FromHexString(hex);
        yield return ["whole", payload, new[] { payload.Length }];
        for (int split = 1; split < payload.Length; split++)
        {
            yield return [$"split at {split}", payload, new[] { split, payload.Length - split }];
        }

        yield return ["one byte per read", payload, Enumerable.Repeat(1, payload.Length).ToArray()];
    }
}
