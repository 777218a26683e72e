// Throwaway Neo4j Community DBMS with a Bolt connector on 127.0.0.1, for tests
// and development. Started by tools/neo4j-local; not meant for real data.
//
//   java -cp 'LIB/*' [JVM flags] Launcher.java <homedir> <port> [password]
//
// The password is taken from the NEO4J_LOCAL_PASSWORD environment variable
// when it is not given as the third argument (tools/neo4j-local uses the
// environment so that the secret does not show up in `ps`). It is never
// printed. Prints "READY" on stdout once Bolt accepts connections and the
// password is set; a shutdown hook stops the DBMS cleanly on SIGTERM/SIGINT.

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

public class Launcher {
    private static long envMebi(String name, long dflt) {
        String v = System.getenv(name);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of MiB, got: " + v);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: Launcher.java <homedir> <port> [password]  (or env NEO4J_LOCAL_PASSWORD)");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        int port = Integer.parseInt(args[1]);
        String password = args.length == 3 ? args[2] : System.getenv("NEO4J_LOCAL_PASSWORD");
        if (password == null || password.length() < 8) {
            System.err.println("Launcher: password missing or shorter than 8 characters");
            System.exit(2);
        }
        Files.createDirectories(home);
        Path importDir = home.resolve("import");
        Files.createDirectories(importDir);

        long pageCacheMb = envMebi("NEO4J_LOCAL_PAGECACHE_MB", 256);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                // Bolt only, loopback only, plain text (local tests).
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.advertised_address, new SocketAddress("127.0.0.1", port))
                .setConfig(BoltConnector.encryption_level, BoltConnector.EncryptionLevel.DISABLED)
                .setConfig(BoltConnector.thread_pool_max_size, 50)
                // Stop in ~2 s instead of ~10 s (two 5 s grace periods by default).
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress("127.0.0.1"))
                .setConfig(HttpConnector.enabled, false)
                .setConfig(HttpsConnector.enabled, false)
                .setConfig(GraphDatabaseSettings.auth_enabled, true)
                // LOAD CSV reads file:/// URLs only from this empty folder, never /etc/passwd or the data.
                .setConfig(GraphDatabaseSettings.load_csv_file_url_root, importDir)
                // Nothing may leave the machine: no usage reports ("UDC").
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                .setConfig(GraphDatabaseInternalSettings.udc_network_enabled, false)
                // Small footprint: 2-core CI box shared with the tests.
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.mebiBytes(pageCacheMb))
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.keep_logical_logs, "false")
                .setConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofMinutes(10))
                .build();

        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("Launcher: shutting down");
            System.out.flush();
            dbms.shutdown();
            System.out.println("Launcher: stopped");
            System.out.flush();
        }, "neo4j-local-shutdown"));

        // The embedded DBMS runs queries with full access, so the system
        // database can set the built-in user's password directly.
        dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
        password = null;

        // Make sure the default database is up before announcing readiness.
        dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME).executeTransactionally("RETURN 1");

        System.out.println("Launcher: Neo4j " + org.neo4j.kernel.internal.Version.getNeo4jVersion()
                + " listening on bolt://127.0.0.1:" + port + ", home " + home);
        System.out.println("READY");
        System.out.flush();

        new CountDownLatch(1).await();
    }
}
