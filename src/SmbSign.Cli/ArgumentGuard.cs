using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace SmbSign.Cli;

/// <summary>
/// Checks a parsed command line before any work and before any parser message is shown:
/// <list type="bullet">
/// <item>a secret-looking option (<c>--password</c>, <c>--pass</c>, <c>--key</c>, <c>-p</c> where it is not an option of the
/// command, any unknown option naming a password, key, secret or token) is refused and the token after it is never echoed:
/// the message points to SMBSIGN_PASSWORD / --password-file or SMBSIGN_KEY / --key-file;</item>
/// <item>an unknown option is a usage error even where the parser would take it as a file name or leave it over
/// (<c>audit samples/fleet --stirct</c>), with the nearest known option suggested ("did you mean --strict?").</item>
/// </list>
/// Tokens after <c>--</c> are arguments, never options.
/// </summary>
internal static class ArgumentGuard
{
    private static readonly string[] s_passwordWords = ["password", "passwd", "pass", "pwd"];
    private static readonly string[] s_keyWords = ["key", "secret", "token"];

    /// <summary>The lines to print (empty when the command line is fine) and the parser errors safe to print after them.</summary>
    public static IReadOnlyList<string> Check(ParseResult result, IReadOnlyList<string> args, out IReadOnlyList<string> parserErrors)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(args);
        Command command = result.CommandResult.Command;
        HashSet<string> known = KnownOptions(result.CommandResult);
        int end = IndexOf(args, "--");
        end = end < 0 ? args.Count : end;

        // Values the parser bound to a known option (a value may legitimately start with '-').
        HashSet<string> optionValues = new(StringComparer.Ordinal);
        foreach (SymbolResult child in result.CommandResult.Children)
        {
            if (child is OptionResult option)
            {
                foreach (Token token in option.Tokens)
                {
                    optionValues.Add(token.Value);
                }
            }
        }

        List<string> messages = [];
        HashSet<string> hidden = new(StringComparer.Ordinal);
        bool passwordHint = false;
        bool keyHint = false;
        for (int i = 0; i < end; i++)
        {
            string token = args[i];
            if (token.Length < 2 || token[0] != '-' || IsNumber(token))
            {
                continue;
            }

            int equals = token.IndexOfAny(['=', ':']);
            string head = equals > 0 ? token[..equals] : token;
            bool isKnown = known.Contains(head);
            if (isKnown)
            {
                // A known option, or one with an attached value (--format=json). -p is --port on capture, but people
                // type it for a password (smbclient, impacket): its value is never echoed in a parser message.
                if (head == "-p" && command.Name is "verify" or "capture")
                {
                    hidden.Add(equals > 0 ? token[(equals + 1)..] : i + 1 < args.Count ? args[i + 1] : string.Empty);
                }

                continue;
            }

            if (optionValues.Contains(token) && i > 0 && known.Contains(args[i - 1]))
            {
                continue;
            }

            SecretKind secret = Secret(head, command.Name);
            if (secret != SecretKind.None || equals > 0 || i + 1 < end)
            {
                // Whatever follows an unknown option may be its value, a secret included: it is never echoed.
                if (equals > 0)
                {
                    hidden.Add(token[(equals + 1)..]);
                    hidden.Add(token);
                }
                else if (i + 1 < args.Count)
                {
                    hidden.Add(args[i + 1]);
                }
            }

            string name = Display(head);
            if (secret == SecretKind.Password)
            {
                passwordHint = true;
                messages.Add($"{command.Name}: {name} is not an option: a password is never taken from the command line (it would be visible in the process list and shell history); the value given is not shown.");
                if (i + 1 < end && equals < 0)
                {
                    i++;
                }

                continue;
            }

            if (secret == SecretKind.Key)
            {
                keyHint = true;
                messages.Add($"{command.Name}: {name} is not an option: a key is never taken from the command line (it would be visible in the process list and shell history); the value given is not shown.");
                if (i + 1 < end && equals < 0)
                {
                    i++;
                }

                continue;
            }

            string? suggestion = Suggest(head, known);
            messages.Add($"{command.Name}: unknown option {name}" + (suggestion is null ? "." : $"; did you mean {suggestion}?"));
        }

        if (passwordHint)
        {
            messages.Add("Give the password in the SMBSIGN_PASSWORD environment variable or with --password-file FILE.");
        }

        if (keyHint)
        {
            messages.Add("Give the key in the SMBSIGN_KEY environment variable or with --key-file FILE.");
        }

        // Parser messages quote the tokens they are about: drop any that would echo a hidden value or repeat an unknown option.
        List<string> safe = [];
        bool dropped = false;
        foreach (ParseError error in result.Errors)
        {
            string message = error.Message;
            if (hidden.Any(h => h.Length > 0 && message.Contains(h, StringComparison.Ordinal)))
            {
                dropped = true;
                continue;
            }

            if (messages.Count > 0 && message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal))
            {
                continue;
            }

            safe.Add(message);
        }

        if (dropped && messages.Count == 0)
        {
            messages.Add($"{command.Name}: a value on the command line was not accepted; it is not shown because it may be a secret. A password comes from SMBSIGN_PASSWORD or --password-file FILE, never from the command line.");
        }

        parserErrors = safe;
        return messages;
    }

    private enum SecretKind
    {
        None,
        Password,
        Key,
    }

    private static SecretKind Secret(string head, string command)
    {
        string name = head.TrimStart('-').ToLowerInvariant();
        if (head == "-p" && command is "verify" or "capture")
        {
            return SecretKind.Password;
        }

        if (s_passwordWords.Any(w => name.Contains(w, StringComparison.Ordinal)) && !name.Contains("file", StringComparison.Ordinal))
        {
            return SecretKind.Password;
        }

        if (s_keyWords.Any(w => name.Contains(w, StringComparison.Ordinal)) && !name.Contains("file", StringComparison.Ordinal) && name != "keys")
        {
            return SecretKind.Key;
        }

        return SecretKind.None;
    }

    /// <summary>Option names of the command and the recursive options of its parents (--help).</summary>
    private static HashSet<string> KnownOptions(CommandResult commandResult)
    {
        HashSet<string> known = new(StringComparer.Ordinal);
        foreach (Option option in commandResult.Command.Options)
        {
            Add(known, option);
        }

        for (SymbolResult? parent = commandResult.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is CommandResult { Command: { } ancestor })
            {
                foreach (Option option in ancestor.Options.Where(o => o.Recursive))
                {
                    Add(known, option);
                }
            }
        }

        return known;

        static void Add(HashSet<string> set, Option option)
        {
            set.Add(option.Name);
            foreach (string alias in option.Aliases)
            {
                set.Add(alias);
            }
        }
    }

    /// <summary>The known long option nearest to <paramref name="head"/> (Levenshtein distance at most a third of its length, at least 2).</summary>
    private static string? Suggest(string head, HashSet<string> known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string candidate in known.Where(k => k.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            int distance = Distance(head.ToLowerInvariant(), candidate);
            if (distance < bestDistance)
            {
                (best, bestDistance) = (candidate, distance);
            }
        }

        return best is not null && bestDistance <= Math.Max(2, head.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        int[] previous = new int[b.Length + 1];
        int[] current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    /// <summary>The option name as typed, cut and made printable (it may be garbage).</summary>
    private static string Display(string head)
    {
        string printable = new([.. head.Where(c => !char.IsControl(c))]);
        return printable.Length > 40 ? printable[..40] + "…" : printable;
    }

    private static bool IsNumber(string token) => double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static int IndexOf(IReadOnlyList<string> args, string value)
    {
        for (int i = 0; i < args.Count; i++)
        {
            if (args[i] == value)
            {
                return i;
            }
        }

        return -1;
    }
}
