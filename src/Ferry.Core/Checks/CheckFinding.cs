namespace Ferry.Core.Checks;

/// <summary>One problem with one file.</summary>
/// <param name="Path">Relative to the checked folder, '/' separators.</param>
/// <param name="Problem">What kind of problem.</param>
/// <param name="Message">One line for a person: what is wrong and, where it helps, the numbers that show it.</param>
public sealed record CheckFinding(string Path, CheckProblem Problem, string Message);
