using System.Text.RegularExpressions;

namespace NasHpo.Actors.Studies;

/// <summary>
/// What a study id may be: it is part of actor names and persistence ids, so letters, digits, '.', '_' and '-',
/// 1 to 64 of them, starting with a letter or digit. One rule for the command line and the library.
/// </summary>
internal static partial class StudyIds
{
    /// <summary>The rule in words, for error messages.</summary>
    public const string Rule = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit";

    public static bool IsValid(string studyId) => studyId is not null && Pattern().IsMatch(studyId);

    // \z, not $: "$" would accept a trailing newline, which no actor name may hold.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial Regex Pattern();
}
