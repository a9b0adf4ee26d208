using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace IdentityRef.Server.Hosting;

/// <summary>
/// The query parameters a list route reads itself (it validates them into ProblemDetails naming the field, which binding
/// would not), declared for the OpenAPI contract so that a client generated from it can send them.
/// </summary>
public static class QueryParameters
{
    public static TBuilder WithQuery<TBuilder>(this TBuilder builder, params (string Name, string Description)[] parameters)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            foreach (var (name, description) in parameters)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = name, In = ParameterLocation.Query, Required = false, Description = description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
            return Task.CompletedTask;
        });

    public static readonly (string, string) Page = ("page", "Page number, from 1 (default 1).");

    public static (string, string) PageSize(int fallback, int max) => ("pageSize", $"Items per page, 1 to {max} (default {fallback}).");
}
