using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;
using Akka.Configuration.Hocon;

namespace NasHpo.Configuration;

/// <summary>Parses HOCON text, turning every syntax problem into a one-line ConfigurationException with a line and column.</summary>
internal static partial class HoconText
{
    /// <summary>
    /// The deepest nesting of braces and brackets a text may have. Akka's parser recurses once per level (and a
    /// stack overflow ends the process, uncatchable); a study nests five or six levels.
    /// </summary>
    public const int MaxNesting = 64;

    /// <summary>The most dotted parts one key may have: each part is a level of the parser's recursion too.</summary>
    public const int MaxKeyParts = 64;

    /// <summary>
    /// The deepest a value may lie once substitutions are followed (a chain a = ${b}, b = ${c}, ... nests as deeply
    /// as it is long, and Akka reads each link by recursion).
    /// </summary>
    public const int MaxDepth = 256;

    // What Akka's tokenizer does not take as unquoted text (its NotInUnquotedText), and of those, what a list cannot
    // hold unquoted.
    private const string NotInUnquotedText = "$\"{}[]:=,#`^?!@*&\\";
    private const string ListBreakers = "=:?!@*&^`\\";

    /// <summary>Parses text; source names it in error locations (a file name, "--set", ...).</summary>
    public static Config Parse(string text, string source = "hocon")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);

        // Akka's parser accepts some unbalanced text silently, loops forever on an unterminated list or on '=' inside
        // a list, and recurses once per level of nesting, so the structure is checked here first.
        CheckStructure(text, source);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception error) when (error is not (ConfigurationException or OutOfMemoryException))
        {
            // Whatever the parser throws is about the text (an unresolved substitution, for one, is a bare Exception).
            var firstLine = error.Message.Split('\n', 2)[0].Trim();
            var match = PositionPattern().Match(firstLine);
            if (match.Success && int.TryParse(match.Groups["position"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var position))
            {
                var (line, column) = LineAndColumn(text, position);
                var detail = firstLine[..match.Index].Trim().TrimEnd(':');
                throw new ConfigurationException($"{source}:{line}:{column}", ToLowerFirst(detail), error);
            }

            throw new ConfigurationException(source, ToLowerFirst(firstLine.TrimEnd(':', ' ')), error);
        }

        CheckSubstitutions(config.Root);
        return config;
    }

    /// <summary>Reads and parses a file; errors name the file by its file name.</summary>
    public static Config ParseFile(string filePath)
    {
        ArgumentNullException.ThrowIfNull(filePath);
        string text;
        try
        {
            text = File.ReadAllText(filePath);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(filePath, $"cannot be read ({error.Message.Split('\n', 2)[0].Trim()})", error);
        }

        return Parse(text, Path.GetFileName(filePath));
    }

    [GeneratedRegex(@"\s*at position (?<position>\d+)")]
    private static partial Regex PositionPattern();

    private static string ToLowerFirst(string text) =>
        text.Length > 1 && char.IsUpper(text[0]) && !char.IsUpper(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

    private static (int Line, int Column) LineAndColumn(string text, int position)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < Math.Min(position, text.Length); i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    /// <summary>Where a reader of an object is: before a key, between a key and its value, or in (or after) a value.</summary>
    private enum Expecting
    {
        Key,
        Separator,
        Value,
    }

    private static void CheckStructure(string text, string source)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        var keyParts = 1;
        var line = 1;
        var column = 1;
        var i = 0;

        // Akka's parser ignores a '{', '[' or '}' where an object expects a key (or, after a key, '=' or '{') instead
        // of refusing it, and from there on reads brackets that no longer match the text's: it may then loop forever
        // inside a list. So where a key belongs, only a key (or the object's end) is taken.
        var expecting = Expecting.Key;
        var first = true;
        bool InObject() => open.Count == 0 || open.Peek().Bracket == '{';

        void Advance(int count)
        {
            for (var k = 0; k < count && i < text.Length; k++, i++)
            {
                if (text[i] == '\n')
                {
                    line++;
                    column = 1;
                }
                else
                {
                    column++;
                }
            }
        }

        ConfigurationException Error(int atLine, int atColumn, string detail) => new($"{source}:{atLine}:{atColumn}", detail);

        // Only ${path}: Akka's tokenizer reads ${?path} (HOCON's optional substitution), ${} or a lone '$' as
        // fragments, which inside a list it then loops on forever.
        void CheckSubstitution()
        {
            var end = i + 2;
            while (end < text.Length && !char.IsWhiteSpace(text[end]) && !NotInUnquotedText.Contains(text[end], StringComparison.Ordinal))
            {
                end++;
            }

            if (i + 1 >= text.Length || text[i + 1] != '{' || end == i + 2 || end >= text.Length || text[end] != '}')
            {
                // Shown up to its closing brace when it has one on the line, else as far as its text runs.
                var close = text.IndexOfAny(['}', '\n'], i);
                var shown = close > i && text[close] == '}' && close - i < 200 ? text[i..(close + 1)] : text[i..Math.Min(text.Length, Math.Max(end, i + 1))];
                throw Error(line, column, $"\"{shown}\" is not a substitution this reader supports (only ${{path}}; quote a '$' that is text)");
            }

            // The path is checked; its braces are not brackets.
            Advance(end - i);
        }

        // A key, or text in a value, moves an object's reader on.
        void Text()
        {
            if (!InObject() || expecting != Expecting.Key)
            {
                return;
            }

            // Akka reads "include" as a key like any other and the file it names as a stray string: the study
            // would silently lose what follows. A study is one file.
            if (string.CompareOrdinal(text, i, "include", 0, 7) == 0 && i + 7 < text.Length && (char.IsWhiteSpace(text[i + 7]) || text[i + 7] == '"'))
            {
                throw Error(line, column, "include is not supported (a study is one file; copy the included settings in, or pass them with --set)");
            }

            expecting = Expecting.Separator;
        }

        while (i < text.Length)
        {
            var c = text[i];
            if (c == '#' || (c == '/' && i + 1 < text.Length && text[i + 1] == '/'))
            {
                while (i < text.Length && text[i] != '\n')
                {
                    Advance(1);
                }

                keyParts = 1;
                continue;
            }

            if (c == '"')
            {
                first = false;
                Text();
                var (startLine, startColumn) = (line, column);
                if (string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0)
                {
                    var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        throw Error(startLine, startColumn, "unterminated \"\"\" string");
                    }

                    Advance(end + 3 - i);
                    continue;
                }

                Advance(1);
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                    {
                        throw Error(startLine, startColumn, "unterminated string");
                    }

                    if (text[i] == '\\')
                    {
                        Advance(2);
                        continue;
                    }

                    if (text[i] == '"')
                    {
                        Advance(1);
                        break;
                    }

                    Advance(1);
                }

                continue;
            }

            // A run of key characters ends at whitespace or punctuation; its dots (quoted parts between them included)
            // count the parts of a dotted key.
            if (char.IsWhiteSpace(c) || c is '{' or '}' or '[' or ']' or ',' or '=' or ':')
            {
                keyParts = 1;
            }
            else if (c == '.' && ++keyParts > MaxKeyParts)
            {
                throw Error(line, column, $"a key of more than {MaxKeyParts} dotted parts (the limit)");
            }

            var rootBrace = first && c == '{';
            if (!char.IsWhiteSpace(c))
            {
                first = false;
            }

            // A new line or a comma ends an object's value; a new line between a key and its '{' is allowed.
            if (InObject() && ((c == '\n' && expecting == Expecting.Value) || c == ','))
            {
                expecting = Expecting.Key;
            }

            if (InObject() && !rootBrace)
            {
                if (expecting == Expecting.Key && c is '{' or '[' or ']' or '=' or ':')
                {
                    throw Error(line, column, $"'{c}' where a key belongs (an object holds key = value pairs)");
                }

                if (expecting == Expecting.Separator && c is '[' or ']' or '}' or ',')
                {
                    throw Error(line, column, $"'{c}' after a key (expected '=', ':' or '{{')");
                }

                // Akka ends the value there and reads what follows as a stray key, out of step with the brackets.
                if (expecting == Expecting.Value && c is '=' or ':')
                {
                    throw Error(line, column, $"'{c}' inside a value (separate two settings on one line with a comma; quote a value that contains '{c}')");
                }
            }

            switch (c)
            {
                case '{' or '[':
                    open.Push((c, line, column));
                    if (open.Count > MaxNesting)
                    {
                        throw Error(line, column, $"'{c}' nests deeper than {MaxNesting} levels of {{ }} and [ ] (the limit)");
                    }

                    expecting = Expecting.Key;
                    break;
                case '}' or ']':
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        throw Error(line, column, $"unexpected '{c}' (nothing to close)");
                    }

                    var top = open.Pop();
                    if (top.Bracket != expected)
                    {
                        throw Error(line, column, $"'{c}' does not match '{top.Bracket}' opened at line {top.Line}, column {top.Column}");
                    }

                    // The object or list just closed was a value (or the study's enclosing braces).
                    expecting = Expecting.Value;
                    break;
                case '=' or ':' when InObject():
                    expecting = Expecting.Value;
                    break;
                case '$':
                    CheckSubstitution();
                    expecting = Expecting.Value;
                    break;
                case var punctuation when ListBreakers.Contains(punctuation, StringComparison.Ordinal) && !InObject():
                    // Akka's parser neither reads nor skips these inside a list: it loops forever on the spot.
                    var list = open.Peek();
                    throw Error(line, column, $"'{c}' inside the list [ ... ] opened at line {list.Line}, column {list.Column} (a list holds values; quote a value that contains '{c}')");
                case ',':
                    break;
                default:
                    if (!char.IsWhiteSpace(c))
                    {
                        Text();
                    }

                    break;
            }

            Advance(1);
        }

        if (open.Count > 0)
        {
            var top = open.Pop();
            throw Error(top.Line, top.Column, $"'{top.Bracket}' is never closed");
        }
    }

    /// <summary>
    /// Refuses a substitution that refers back to itself (a = ${b}, b = ${a}; Akka resolves it to a loop that its
    /// reads recurse around until the stack overflows) and values nested, through substitutions, deeper than
    /// <see cref="MaxDepth"/>. Walks the parsed tree without recursion, following each substitution to its value.
    /// </summary>
    private static void CheckSubstitutions(HoconValue root)
    {
        // A node is on the current path while its children are walked; a finished one keeps its height.
        var onPath = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var heights = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<Frame>();
        stack.Push(new Frame(root, "(top level)", Children(root, "(top level)").GetEnumerator()));
        onPath.Add(root);
        while (stack.Count > 0)
        {
            var frame = stack.Peek();
            if (!frame.Children.MoveNext())
            {
                stack.Pop();
                onPath.Remove(frame.Node);
                heights[frame.Node] = frame.Height + 1;
                if (stack.Count > 0)
                {
                    stack.Peek().Height = Math.Max(stack.Peek().Height, frame.Height + 1);
                }

                continue;
            }

            var (child, path) = frame.Children.Current;
            if (onPath.Contains(child))
            {
                var substitution = stack.Select(f => f.Node).OfType<HoconSubstitution>().FirstOrDefault()
                    ?? frame.Node as HoconSubstitution;
                throw new ConfigurationException(frame.Path, substitution is null
                    ? "refers back to itself"
                    : $"cyclic substitution ${{{substitution.Path}}} (its value refers back to itself)");
            }

            if (heights.TryGetValue(child, out var height))
            {
                frame.Height = Math.Max(frame.Height, height);
            }
            else
            {
                height = 0;
                stack.Push(new Frame(child, path, Children(child, path).GetEnumerator()));
                onPath.Add(child);
            }

            if (stack.Count + height > MaxDepth)
            {
                throw new ConfigurationException(path, $"nested deeper than {MaxDepth} levels, substitutions followed (the limit)");
            }
        }
    }

    private static IEnumerable<(object Node, string Path)> Children(object node, string path) => node switch
    {
        HoconValue value => value.Values.Select(element => ((object)element, path)),
        HoconObject obj => obj.Items.Select(item => ((object)item.Value, path == "(top level)" ? item.Key : $"{path}.{item.Key}")),
        HoconArray array => array.Select((element, i) => ((object)element, $"{path}[{i}]")),
        HoconSubstitution { ResolvedValue: { } resolved } substitution => [(resolved, substitution.Path)],
        _ => [],
    };

    private sealed class Frame(object node, string path, IEnumerator<(object Node, string Path)> children)
    {
        public object Node { get; } = node;

        public string Path { get; } = path;

        public IEnumerator<(object Node, string Path)> Children { get; } = children;

        /// <summary>The greatest height of the children finished so far.</summary>
        public int Height { get; set; }
    }
}
