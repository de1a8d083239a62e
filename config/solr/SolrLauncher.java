import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.solr.core.CoreContainer;
import org.apache.solr.embedded.JettyConfig;
import org.apache.solr.embedded.JettySolrRunner;
import org.apache.solr.security.AuthenticationPlugin;
import org.apache.solr.security.BasicAuthPlugin;

/**
 * Runs a real Solr 9 HTTP server from the Maven Central jars, bound to 127.0.0.1
 * (jetty.testMode). Usage: java -cp 'lib/*' SolrLauncher.java SOLR_HOME PORT
 *
 * JettySolrRunner.start() succeeds even when a core cannot load, so this checks
 * the cores itself and exits non-zero with Solr's own reason: a portal with a
 * broken index must fail at start, not on its first search.
 *
 * It also fails closed on security: without SOLR_HOME/security.json Solr would
 * serve anyone who reaches its port, so the launcher refuses to start, and
 * stops again unless Solr itself loaded an authorization plugin and a Basic
 * authentication that refuses unknown (unauthenticated) requests.
 */
public class SolrLauncher {
  public static void main(String[] args) throws Exception {
    try {
      start(args[0], Integer.parseInt(args[1]));
    } catch (Throwable error) {
      // Jetty's threads would keep a failed server's JVM alive: exit explicitly.
      System.err.println("SOLR FAILED: " + causeChain(error));
      System.exit(3);
    }
    Thread.currentThread().join();
  }

  private static void start(String solrHome, int port) throws Exception {
    Path security = Path.of(solrHome, "security.json");
    if (!Files.isRegularFile(security)) {
      throw new IllegalStateException(security + " is missing: Solr would run without authentication");
    }
    JettyConfig config =
        JettyConfig.builder().setPort(port).setContext("/solr").stopAtShutdown(true).build();
    JettySolrRunner solr = new JettySolrRunner(solrHome, new Properties(), config);
    solr.start();

    CoreContainer cores = solr.getCoreContainer();
    cores.waitForLoadingCoresToFinish(TimeUnit.MINUTES.toMillis(2));
    Map<String, CoreContainer.CoreLoadFailure> failures = cores.getCoreInitFailures();
    if (!failures.isEmpty()) {
      StringBuilder reasons = new StringBuilder();
      failures.forEach(
          (name, failure) ->
              reasons.append("\n  core '").append(name).append("' did not load: ")
                  .append(causeChain(failure.exception)));
      throw new IllegalStateException("Solr started but its cores failed:" + reasons);
    }
    AuthenticationPlugin authentication = cores.getAuthenticationPlugin();
    if (!(authentication instanceof BasicAuthPlugin)
        || !((BasicAuthPlugin) authentication).getBlockUnknown()
        || cores.getAuthorizationPlugin() == null) {
      throw new IllegalStateException(
          security + " did not give Solr a BasicAuthPlugin with blockUnknown and an authorization plugin");
    }
    System.out.println(
        "Solr ready on http://127.0.0.1:" + solr.getLocalPort() + "/solr with cores "
            + cores.getLoadedCoreNames());
  }

  private static String causeChain(Throwable error) {
    StringBuilder reason = new StringBuilder(String.valueOf(error.getMessage()));
    for (Throwable cause = error.getCause(); cause != null; cause = cause.getCause()) {
      reason.append(" <- ").append(cause.getMessage());
    }
    return reason.toString();
  }
}
