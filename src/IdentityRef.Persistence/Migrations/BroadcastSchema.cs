using Microsoft.EntityFrameworkCore.Migrations;

namespace IdentityRef.Persistence.Migrations;

/// <summary>Version 4: the subscribed systems and the transactional outbox of PAM messages.</summary>
internal static class BroadcastSchema
{
    public static void Up(MigrationBuilder mb, SqlTypes t)
    {
        mb.CreateTable("subscriptions", table => new
        {
            Id = table.Column<Guid>(type: t.Guid, nullable: false),
            Name = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Host = table.Column<string>(type: t.VarChar(255), maxLength: 255, nullable: false),
            Port = table.Column<int>(type: t.Int, nullable: false),
            ReceivingApplication = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            ReceivingFacility = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            Charset = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            UseTls = table.Column<bool>(type: t.Bool, nullable: false),
            Enabled = table.Column<bool>(type: t.Bool, nullable: false),
            Events = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: false),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            UpdatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            LeaseOwner = table.Column<string>(type: t.VarChar(100), maxLength: 100, nullable: true),
            LeaseUntil = table.Column<long>(type: t.Timestamp, nullable: true),
        }, constraints: table => table.PrimaryKey("PK_subscriptions", x => x.Id));
        mb.CreateIndex("IX_subscriptions_Name", "subscriptions", "Name", unique: true);

        mb.CreateTable("outbox_messages", table => new
        {
            Id = t.SequenceKey(table),
            SubscriptionId = table.Column<Guid>(type: t.Guid, nullable: false),
            IdentityId = table.Column<Guid>(type: t.Guid, nullable: true),
            Event = table.Column<string>(type: t.VarChar(3), maxLength: 3, nullable: false),
            ControlId = table.Column<string>(type: t.VarChar(20), maxLength: 20, nullable: false),
            Payload = table.Column<byte[]>(type: t.IsSqlite ? "BLOB" : "bytea", nullable: false),
            State = table.Column<string>(type: t.VarChar(12), maxLength: 12, nullable: false),
            Attempts = table.Column<int>(type: t.Int, nullable: false),
            NextAttemptAt = table.Column<long>(type: t.Timestamp, nullable: false),
            AckCode = table.Column<string>(type: t.VarChar(2), maxLength: 2, nullable: true),
            LastError = table.Column<string>(type: t.VarChar(1000), maxLength: 1000, nullable: true),
            CreatedAt = table.Column<long>(type: t.Timestamp, nullable: false),
            SentAt = table.Column<long>(type: t.Timestamp, nullable: true),
            AcknowledgedAt = table.Column<long>(type: t.Timestamp, nullable: true),
        }, constraints: table =>
        {
            table.PrimaryKey("PK_outbox_messages", x => x.Id);
            table.ForeignKey("FK_outbox_messages_subscriptions_SubscriptionId", x => x.SubscriptionId, "subscriptions", "Id", onDelete: ReferentialAction.Restrict);
        });
        mb.CreateIndex("IX_outbox_messages_SubscriptionId_State_Id", "outbox_messages", ["SubscriptionId", "State", "Id"]);
        mb.CreateIndex("IX_outbox_messages_State_Id", "outbox_messages", ["State", "Id"]);
    }
}
