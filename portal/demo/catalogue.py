"""The demo's cast: buyers across regions, the kinds of purchases Peruvian entities make, and
the small firms that win them.

Entity names are real kinds of Peruvian public bodies; their RUCs are generated (valid check
digit, not the real numbers), and the suppliers are invented, so nothing here should be read as
real procurement data. Each buyer has a kind and each purchase names the kinds that make it,
so a municipality buys road works, street cleaning and its serenazgo's uniforms, a hospital
medicines and biomedical equipment, and nobody's calls look drawn from one hat.
"""

from dataclasses import dataclass

from portal.buyers.ruc import ruc_check_digit

MUNICIPALITY = "municipality"
REGIONAL_GOVERNMENT = "regional_government"
HEALTH = "health"  # a hospital or an EsSalud network
UNIVERSITY = "university"
EDUCATION = "education"  # the ministry and its programmes
MINING = "mining"  # the private buyer of the RSS feed
PUBLIC_OFFICES = frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT, HEALTH, UNIVERSITY, EDUCATION})


@dataclass(frozen=True)
class DemoBuyer:
    name: str
    acronym: str
    level: str
    department: str  # department name, as OCDS addresses carry it
    region_code: str
    ruc_base: str  # ten digits; the check digit is computed
    kind: str

    @property
    def ruc(self) -> str:
        return self.ruc_base + str(ruc_check_digit(self.ruc_base))


@dataclass(frozen=True)
class DemoSupplier:
    name: str
    ruc_base: str  # ten digits: 20 a company, 10 a person with a business

    @property
    def ruc(self) -> str:
        return self.ruc_base + str(ruc_check_digit(self.ruc_base))


@dataclass(frozen=True)
class DemoPurchase:
    title: str
    description: str
    unspsc: str
    object_type: str  # OCDS mainProcurementCategory: goods, services, works
    consulting: bool
    value_range: tuple[int, int]
    bought_by: frozenset[str]  # the kinds of buyer that make this purchase


BUYERS = (
    DemoBuyer(
        "Municipalidad Provincial de Arequipa",
        "MPA",
        "local",
        "AREQUIPA",
        "04",
        "2015381037",
        MUNICIPALITY,
    ),
    DemoBuyer(
        "Gobierno Regional del Cusco",
        "GORECUSCO",
        "regional",
        "CUSCO",
        "08",
        "2052760112",
        REGIONAL_GOVERNMENT,
    ),
    DemoBuyer(
        "Municipalidad Distrital de Villa El Salvador",
        "MVES",
        "local",
        "LIMA",
        "15",
        "2013170543",
        MUNICIPALITY,
    ),
    DemoBuyer(
        "Hospital Regional Lambayeque",
        "HRL",
        "regional",
        "LAMBAYEQUE",
        "14",
        "2048721955",
        HEALTH,
    ),
    DemoBuyer(
        "Municipalidad Provincial de Trujillo",
        "MPT",
        "local",
        "LA LIBERTAD",
        "13",
        "2017556812",
        MUNICIPALITY,
    ),
    DemoBuyer(
        "Gobierno Regional Piura",
        "GRP",
        "regional",
        "PIURA",
        "20",
        "2048420861",
        REGIONAL_GOVERNMENT,
    ),
    DemoBuyer(
        "Universidad Nacional del Altiplano",
        "UNAP",
        "autonomous",
        "PUNO",
        "21",
        "2014562347",
        UNIVERSITY,
    ),
    DemoBuyer(
        "Municipalidad Provincial de Tacna",
        "MPTACNA",
        "local",
        "TACNA",
        "23",
        "2014770418",
        MUNICIPALITY,
    ),
    DemoBuyer("Red Asistencial Junín", "RAJ", "national", "JUNIN", "12", "2013125789", HEALTH),
    DemoBuyer(
        "Ministerio de Educación", "MINEDU", "national", "LIMA", "15", "2013137092", EDUCATION
    ),
    DemoBuyer(
        "Municipalidad Provincial de Maynas",
        "MPM",
        "local",
        "LORETO",
        "16",
        "2016134690",
        MUNICIPALITY,
    ),
    DemoBuyer(
        "Gobierno Regional Cajamarca",
        "GRC",
        "regional",
        "CAJAMARCA",
        "06",
        "2045353067",
        REGIONAL_GOVERNMENT,
    ),
    DemoBuyer(
        "Municipalidad Provincial de Paita",
        "MPP",
        "local",
        "PIURA",
        "20",
        "2014601276",
        MUNICIPALITY,
    ),
    DemoBuyer(
        "Municipalidad Distrital de El Porvenir",
        "MDEP",
        "local",
        "LA LIBERTAD",
        "13",
        "2017449873",
        MUNICIPALITY,
    ),
)

# The private buyer: a mining company calling local suppliers through its own RSS feed.
MINING_COMPANY = DemoBuyer(
    "Minera Andina del Sur S.A.A.", "MADS", "private", "AREQUIPA", "04", "2053890417", MINING
)

SUPPLIERS = (
    DemoSupplier("Constructora Andina del Sur S.A.C.", "2060123456"),
    DemoSupplier("Servicios Generales Misti E.I.R.L.", "2060234567"),
    DemoSupplier("Distribuidora Ferretera Qhapaq S.A.C.", "2060345678"),
    DemoSupplier("Textiles Chavín E.I.R.L.", "2060456789"),
    DemoSupplier("Tecnología y Redes del Norte S.A.C.", "2060567890"),
    DemoSupplier("Rosa Mamani Quispe", "1040678901"),
    DemoSupplier("Alimentos Nutritivos Huancayo S.R.L.", "2060789012"),
)

PURCHASES = (
    DemoPurchase(
        "Adquisición de uniformes para el personal de serenazgo",
        "Confección y entrega de uniformes (camisas, pantalones, casacas y gorras) en tallas "
        "según relación adjunta, tela drill de algodón, bordado del escudo institucional.",
        "53102700",
        "goods",
        False,
        (25_000, 180_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Adquisición de calzado de seguridad para obreros",
        "Botines de cuero con puntera de acero y planta antideslizante, certificados según "
        "norma técnica peruana, entrega en almacén central.",
        "46181605",
        "goods",
        False,
        (12_000, 90_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT, MINING}),
    ),
    DemoPurchase(
        "Servicio de limpieza de locales institucionales",
        "Limpieza diaria de oficinas, servicios higiénicos y áreas comunes, incluye personal, "
        "insumos y equipos, por un periodo de doce meses.",
        "76111501",
        "services",
        False,
        (60_000, 420_000),
        PUBLIC_OFFICES | {MINING},
    ),
    DemoPurchase(
        "Servicio de recolección y transporte de residuos sólidos",
        "Recojo diario de residuos domiciliarios y de mercados, barrido de calles y traslado al "
        "relleno sanitario autorizado, con compactadoras y personal propio.",
        "76121500",
        "services",
        False,
        (250_000, 2_400_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Adquisición de útiles de oficina",
        "Papel bond A4 de 75 g, archivadores, lapiceros, tóner para impresoras y otros útiles "
        "de escritorio según especificaciones técnicas.",
        "44121600",
        "goods",
        False,
        (8_000, 65_000),
        PUBLIC_OFFICES,
    ),
    DemoPurchase(
        "Servicio de mantenimiento preventivo y correctivo de vehículos",
        "Mantenimiento de camionetas y compactadoras de la flota municipal: cambio de aceite, "
        "filtros, frenos y revisión eléctrica, con repuestos originales.",
        "78181500",
        "services",
        False,
        (30_000, 250_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Mejoramiento de pistas y veredas del centro poblado",
        "Ejecución de obra: pavimento rígido, veredas de concreto, sardineles y señalización, "
        "según expediente técnico aprobado.",
        "72141103",
        "works",
        False,
        (800_000, 6_500_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Adquisición de alimentos para el Programa del Vaso de Leche",
        "Leche evaporada entera y hojuelas de avena con soya, entrega mensual en los comités "
        "del distrito, con registro sanitario vigente.",
        "50131700",
        "goods",
        False,
        (90_000, 900_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Consultoría para la elaboración del expediente técnico del mercado",
        "Elaboración del expediente técnico para la construcción del mercado de abastos, con "
        "estudios de suelos, topografía y arquitectura.",
        "81101500",
        "services",
        True,
        (70_000, 450_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Servicio de mantenimiento de áreas verdes",
        "Riego, poda, abonamiento y reposición de plantas en parques y bermas centrales, con "
        "personal y herramientas.",
        "70111700",
        "services",
        False,
        (25_000, 220_000),
        frozenset({MUNICIPALITY}),
    ),
    DemoPurchase(
        "Construcción de losa deportiva multiusos",
        "Ejecución de obra: losa de concreto, graderías, cerco perimétrico e iluminación, según "
        "expediente técnico.",
        "72121400",
        "works",
        False,
        (300_000, 2_400_000),
        frozenset({MUNICIPALITY, MINING}),
    ),
    DemoPurchase(
        "Adquisición de cemento y agregados",
        "Cemento portland tipo I, arena gruesa, piedra chancada y fierro corrugado para obras "
        "por administración directa.",
        "30111601",
        "goods",
        False,
        (20_000, 300_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Servicio de impresión de material de difusión",
        "Impresión de afiches, volantes, banderolas y gigantografías para campañas de salud y "
        "educación ciudadana.",
        "82121500",
        "services",
        False,
        (5_000, 45_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT, HEALTH, EDUCATION}),
    ),
    DemoPurchase(
        "Servicio de seguridad y vigilancia",
        "Vigilancia privada de veinticuatro horas en sedes institucionales, con agentes "
        "acreditados por SUCAMEC y supervisión.",
        "92121504",
        "services",
        False,
        (90_000, 700_000),
        PUBLIC_OFFICES | {MINING},
    ),
    DemoPurchase(
        "Adquisición de muebles de oficina",
        "Escritorios, estantes y sillas ergonómicas para las nuevas oficinas de atención al "
        "ciudadano, fabricación nacional.",
        "56101700",
        "goods",
        False,
        (15_000, 150_000),
        PUBLIC_OFFICES,
    ),
    DemoPurchase(
        "Adquisición de combustible para la flota institucional",
        "Gasohol de 90 octanos y diésel B5 S-50 despachados con vales en grifo de la ciudad, "
        "para camionetas, compactadoras y maquinaria.",
        "15101500",
        "goods",
        False,
        (40_000, 500_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Adquisición de artesanía regional para promoción turística",
        "Textiles, cerámica y tallados elaborados por artesanos de la región, para ferias, "
        "visitas oficiales y promoción turística.",
        "60121100",
        "goods",
        False,
        (6_000, 50_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Mejoramiento de la carretera departamental",
        "Ejecución de obra: mejoramiento a nivel de asfaltado, obras de arte, cunetas y "
        "señalización vertical, según expediente técnico aprobado.",
        "72141100",
        "works",
        False,
        (2_500_000, 9_500_000),
        frozenset({REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Mejoramiento del servicio educativo de la institución educativa",
        "Ejecución de obra: aulas, servicios higiénicos, cerco perimétrico y mobiliario de la "
        "institución educativa de nivel primaria y secundaria.",
        "72121400",
        "works",
        False,
        (1_200_000, 7_000_000),
        frozenset({REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Alquiler de maquinaria pesada para mantenimiento de caminos",
        "Excavadora, cargador frontal, motoniveladora y volquetes con operador y combustible, "
        "por horas máquina, para el mantenimiento de caminos vecinales.",
        "22101500",
        "services",
        False,
        (60_000, 480_000),
        frozenset({MUNICIPALITY, REGIONAL_GOVERNMENT}),
    ),
    DemoPurchase(
        "Adquisición de equipos de cómputo para instituciones educativas",
        "Computadoras de escritorio y laptops con garantía de tres años, licencias y "
        "capacitación para docentes.",
        "43211500",
        "goods",
        False,
        (120_000, 1_400_000),
        frozenset({REGIONAL_GOVERNMENT, EDUCATION}),
    ),
    DemoPurchase(
        "Adquisición de mobiliario escolar",
        "Carpetas unipersonales, sillas y pizarras acrílicas para aulas de nivel primaria y "
        "secundaria, fabricadas en madera tornillo y metal.",
        "56121500",
        "goods",
        False,
        (40_000, 600_000),
        frozenset({REGIONAL_GOVERNMENT, EDUCATION}),
    ),
    DemoPurchase(
        "Adquisición de medicamentos e insumos médicos",
        "Medicamentos esenciales del petitorio nacional, material médico descartable y "
        "reactivos de laboratorio, con entrega programada.",
        "51100000",
        "goods",
        False,
        (50_000, 1_200_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Adquisición de monitores de funciones vitales para la unidad de cuidados intensivos",
        "Monitores multiparámetro con electrocardiograma, oximetría, presión no invasiva y "
        "capnografía, instalación, capacitación y garantía de dos años.",
        "42181900",
        "goods",
        False,
        (180_000, 1_500_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Adquisición de oxígeno medicinal",
        "Oxígeno medicinal en cilindros de 10 m³ y suministro a granel para la red de gases del "
        "hospital, con registro sanitario.",
        "12141900",
        "goods",
        False,
        (60_000, 650_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Adquisición de material médico descartable",
        "Guantes de examen de nitrilo, jeringas descartables, gasas y apósitos estériles, según "
        "especificaciones técnicas del servicio de farmacia.",
        "42132200",
        "goods",
        False,
        (30_000, 400_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Adquisición de reactivos para el laboratorio clínico",
        "Reactivos de bioquímica y hematología con cesión en uso de analizadores automatizados, "
        "controles de calidad y mantenimiento.",
        "41116000",
        "goods",
        False,
        (80_000, 900_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Servicio de lavandería hospitalaria",
        "Lavado, desinfección, planchado y transporte de ropa hospitalaria y de sala de "
        "operaciones, con recojo diario.",
        "91111500",
        "services",
        False,
        (60_000, 380_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Servicio de alimentación para pacientes hospitalizados",
        "Preparación y distribución de raciones para pacientes y personal de guardia, con "
        "dietas prescritas por nutricionista.",
        "90101600",
        "services",
        False,
        (150_000, 1_100_000),
        frozenset({HEALTH}),
    ),
    DemoPurchase(
        "Adquisición de equipos de laboratorio para la Facultad de Ingeniería",
        "Balanzas analíticas, estufas, espectrofotómetro y microscopios trinoculares para los "
        "laboratorios de enseñanza e investigación.",
        "41100000",
        "goods",
        False,
        (90_000, 800_000),
        frozenset({UNIVERSITY}),
    ),
    DemoPurchase(
        "Adquisición de material bibliográfico para la biblioteca central",
        "Libros impresos de ingeniería, ciencias de la salud y ciencias sociales en ediciones "
        "recientes, según relación de títulos.",
        "55101500",
        "goods",
        False,
        (20_000, 160_000),
        frozenset({UNIVERSITY}),
    ),
    DemoPurchase(
        "Servicio de transporte de personal",
        "Transporte de trabajadores en bus y minivanes entre las sedes y las zonas de trabajo, "
        "con conductores licenciados y SOAT vigente.",
        "78111800",
        "services",
        False,
        (30_000, 260_000),
        frozenset({REGIONAL_GOVERNMENT, UNIVERSITY, MINING}),
    ),
    DemoPurchase(
        "Impresión de cuadernos de trabajo para estudiantes",
        "Impresión y encuadernación de cuadernos de trabajo de comunicación y matemática para "
        "estudiantes de primaria, con control de calidad.",
        "55101500",
        "goods",
        False,
        (400_000, 4_500_000),
        frozenset({EDUCATION}),
    ),
    DemoPurchase(
        "Servicio de distribución de materiales educativos a las UGEL",
        "Transporte de kits de materiales educativos desde el almacén central hasta las "
        "unidades de gestión educativa local, con seguro de carga.",
        "78101800",
        "services",
        False,
        (150_000, 1_800_000),
        frozenset({EDUCATION}),
    ),
    DemoPurchase(
        "Servicio de alimentación para el campamento minero",
        "Preparación de desayuno, almuerzo y cena para el personal del campamento, con insumos "
        "de productores de las comunidades vecinas.",
        "90101600",
        "services",
        False,
        (120_000, 900_000),
        frozenset({MINING}),
    ),
    DemoPurchase(
        "Adquisición de equipos de protección personal",
        "Cascos, lentes de seguridad, respiradores y ropa de trabajo con cinta reflectiva, "
        "certificados, para el personal de operaciones.",
        "46181500",
        "goods",
        False,
        (30_000, 250_000),
        frozenset({MINING}),
    ),
    DemoPurchase(
        "Servicio de mantenimiento de caminos de acceso",
        "Perfilado, riego y lastrado de los caminos de acceso a la unidad minera y a las "
        "comunidades, con maquinaria y personal de la zona.",
        "72141100",
        "services",
        False,
        (80_000, 700_000),
        frozenset({MINING}),
    ),
    DemoPurchase(
        "Servicio de lavandería para el campamento",
        "Lavado y secado de ropa de trabajo y ropa de cama del campamento, con recojo y entrega "
        "tres veces por semana.",
        "91111500",
        "services",
        False,
        (20_000, 140_000),
        frozenset({MINING}),
    ),
    DemoPurchase(
        "Servicio de mantenimiento de camionetas",
        "Mantenimiento preventivo de camionetas 4x4 de la flota de operaciones: cambio de "
        "aceite, filtros, frenos y neumáticos.",
        "78181500",
        "services",
        False,
        (25_000, 200_000),
        frozenset({MINING}),
    ),
)


def purchases_for(kind: str) -> tuple[DemoPurchase, ...]:
    """What a buyer of this kind buys, in the catalogue's order (seeded draws stay stable)."""
    return tuple(purchase for purchase in PURCHASES if kind in purchase.bought_by)
