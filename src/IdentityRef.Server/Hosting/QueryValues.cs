using System.Globalization;
using IdentityRef.Domain.Common;

namespace IdentityRef.Server.Hosting;

/// <summary>Query-string values of the list endpoints, read strictly: a bad value becomes a field error, never a guess.</summary>
public static class QueryValues
{
    /// <summary>
    /// <c>page</c> and <c>pageSize</c> of a paged list. The page is bounded so that the rows it skips still count in an
    /// int: an offset that wraps round is a 500 on PostgreSQL and silently page 1 on SQLite.
    /// </summary>
    public static (int Page, int PageSize) Paging(IQueryCollection query, int defaultSize, int maxSize, List<FieldError> errors) =>
        (PositiveNumber(query["page"], "page", 1, int.MaxValue / maxSize, errors),
            PositiveNumber(query["pageSize"], "pageSize", defaultSize, maxSize, errors));

    /// <summary>A whole number from 1 to <paramref name="max"/>; absent → <paramref name="fallback"/>.</summary>
    public static int PositiveNumber(string? text, string field, int fallback, int max, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < 1 || value > max)
        {
            errors.Add(new FieldError(field, "invalid-value", $"A whole number from 1 to {max}."));
            return fallback;
        }
        return value;
    }
}
