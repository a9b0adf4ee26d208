namespace IdentityRef.Server; public static class Program { public static void Main() { } }
